package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"tonegrid/jobs"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

type countArgs struct {
	N int `json:"n"`
}

func (countArgs) Kind() string { return "test_count" }

type countWorker struct {
	jobs.WorkerDefaults[countArgs]
	mu   sync.Mutex
	seen map[int]int
	done chan struct{}
	want int
}

func (w *countWorker) Work(ctx context.Context, j *jobs.Job[countArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[j.Args.N]++
	if len(w.seen) == w.want {
		close(w.done)
	}
	return nil
}

// TestJobsExistExactlyWhenTheirTransactionCommits inserts 300 jobs in
// committed transactions and 100 in rolled-back ones, on the store's own
// connection: exactly the committed ones run, each once.
func TestJobsExistExactlyWhenTheirTransactionCommits(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, err := sqlstore.Open(context.Background(), sqltest.URL(t, d), sqlstore.Options{MaxOpenConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			q, err := jobs.New(db.WriteDB(), string(d), jobs.Options{Workers: 8, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			const committed = 300
			w := &countWorker{seen: map[int]int{}, done: make(chan struct{}), want: committed}
			jobs.Register(q, jobs.Worker[countArgs](w))
			if err := q.Open(); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer q.Stop(ctx)

			for i := 0; i < committed+100; i++ {
				tx, err := db.WriteDB().BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := q.InsertTx(ctx, tx, countArgs{N: i}); err != nil {
					t.Fatal(err)
				}
				if i < committed {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-w.done:
			case <-time.After(60 * time.Second):
				t.Fatalf("only %d of %d jobs ran", len(w.seen), committed)
			}
			time.Sleep(300 * time.Millisecond) // a rolled-back job would have run by now
			w.mu.Lock()
			defer w.mu.Unlock()
			for n, times := range w.seen {
				if n >= committed {
					t.Errorf("job %d of a rolled-back transaction ran", n)
				}
				if times != 1 {
					t.Errorf("job %d ran %d times", n, times)
				}
			}
			stats, err := q.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if total := stats["available"] + stats["running"] + stats["completed"]; total != committed {
				t.Errorf("stats = %v, want %d jobs in all", stats, committed)
			}
		})
	}
}

func TestQueueWithoutWorkersDoesNotStart(t *testing.T) {
	db := sqltest.Open(t, sqlstore.SQLite)
	q, err := jobs.New(db.WriteDB(), "sqlite", jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatalf("Start without workers: %v", err)
	}
	if err := q.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

type laneArgs struct {
	N int `json:"n"`
}

func (laneArgs) Kind() string { return "test_lane" }

// queueWorker records the queue each job ran on.
type queueWorker[T jobs.Args] struct {
	jobs.WorkerDefaults[T]
	ran chan string
}

func (w *queueWorker[T]) Work(ctx context.Context, j *jobs.Job[T]) error {
	w.ran <- j.Queue
	return nil
}

// TestLanesRunTheirKinds puts one kind on a lane of its own: its jobs run
// there, inserted alone or in a transaction, and other kinds stay on the
// default queue.
func TestLanesRunTheirKinds(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		q, err := jobs.New(db.WriteDB(), db.Dialect().String(), jobs.Options{Workers: 2,
			Lanes:  []jobs.Lane{{Name: "slow_receivers", Workers: 4, Kinds: []string{laneArgs{}.Kind()}}},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		onLane := &queueWorker[laneArgs]{ran: make(chan string, 4)}
		onDefault := &queueWorker[countArgs]{ran: make(chan string, 4)}
		jobs.Register(q, jobs.Worker[laneArgs](onLane))
		jobs.Register(q, jobs.Worker[countArgs](onDefault))
		if err := q.Open(); err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)

		if err := q.Insert(ctx, laneArgs{N: 1}); err != nil {
			t.Fatal(err)
		}
		tx, err := db.WriteDB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.InsertTx(ctx, tx, laneArgs{N: 2}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := q.Insert(ctx, countArgs{N: 3}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []struct {
			ran   chan string
			queue string
		}{{onLane.ran, "slow_receivers"}, {onLane.ran, "slow_receivers"}, {onDefault.ran, "default"}} {
			select {
			case got := <-want.ran:
				if got != want.queue {
					t.Errorf("job %d ran on %q, want %q", i, got, want.queue)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("job %d never ran", i)
			}
		}
	})
}

func TestLaneNeedsANameAndWorkers(t *testing.T) {
	db := sqltest.Open(t, sqlstore.SQLite)
	for _, l := range []jobs.Lane{{Name: "", Workers: 1}, {Name: "default", Workers: 1}, {Name: "x", Workers: 0}} {
		if _, err := jobs.New(db.WriteDB(), "sqlite", jobs.Options{Lanes: []jobs.Lane{l}}); err == nil {
			t.Errorf("lane %+v accepted", l)
		}
	}
}
