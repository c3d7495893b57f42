# `make test` and `make lint` are exactly what .ci/run runs.
.PHONY: ci test lint bench run

ci:
	.ci/run

test:
	go test -race -count=1 ./...

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	go vet ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...
	go run ./cmd/tgbench -scenario health -duration 10s -rounds 3

run:
	go run ./cmd/tonegrid serve
