package webhook_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"tonegrid/webhook"
)

// fakeResolver answers from a table; a host not in it does not resolve. Each
// host's answers are given in turn, the last one repeated, so a test can
// make a name resolve differently the second time (DNS rebinding).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

// newFakeResolver returns a resolver answering host with the given address
// lists, one per lookup.
func newFakeResolver(answers map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: answers, calls: map[string]int{}}
}

var errNoSuchHost = errors.New("no such host")

func (r *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	turns, ok := r.answers[host]
	if !ok {
		return nil, errNoSuchHost
	}
	turn := turns[min(r.calls[host], len(turns)-1)]
	r.calls[host]++
	var addrs []netip.Addr
	for _, s := range turn {
		a := netip.MustParseAddr(s)
		if network == "ip4" && !a.Is4() || network == "ip6" && !a.Is6() {
			continue
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// lookups returns how many times host was looked up.
func (r *fakeResolver) lookups(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

func TestPublicAddr(t *testing.T) {
	blocked := []string{
		// IPv4 special-purpose ranges, at both ends where it matters.
		"0.0.0.0", "0.255.255.255", // this network, unspecified
		"10.0.0.0", "10.255.255.255", // RFC 1918
		"100.64.0.0", "100.127.255.255", // CGNAT
		"127.0.0.1", "127.255.255.254", // loopback
		"169.254.169.254", "169.254.0.1", // link-local, cloud metadata
		"172.16.0.1", "172.31.255.255", // RFC 1918
		"192.0.0.1", "192.0.0.171", // IETF protocol assignments
		"192.0.2.1", "198.51.100.7", "203.0.113.255", // documentation
		"192.88.99.1",                // 6to4 relay anycast
		"192.168.0.1", "192.168.1.1", // RFC 1918
		"198.18.0.1", "198.19.255.255", // benchmarking
		"224.0.0.1", "239.255.255.250", // multicast
		"240.0.0.1", "255.255.255.255", // reserved, broadcast
		// IPv6.
		"::", "::1", // unspecified, loopback
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1", "::ffff:0.0.0.0", // IPv4-mapped
		"::ffff:7f00:1", "::ffff:c0a8:101", // IPv4-mapped in hex
		"::127.0.0.1", "::10.0.0.1", "::8.8.8.8", // IPv4-compatible (deprecated, all refused)
		"::ffff:0:8.8.8.8",                    // IPv4-translated
		"64:ff9b::8.8.8.8", "64:ff9b::7f00:1", // NAT64 well-known prefix
		"64:ff9b:1::a00:1", "64:ff9b:1:ffff::1", // NAT64 local use
		"100::1",                       // discard only
		"fc00::1", "fd12:3456:789a::1", // unique local
		"fe80::1", "febf:ffff::1", // link-local
		"fec0::1",            // site-local
		"ff02::1", "ff0e::1", // multicast
		"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
		"2001:2::1",                // benchmarking
		"2001:10::1", "2001:20::1", // ORCHID
		"2001:db8::1", "3fff::1", // documentation
		"2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "2002:a9fe:a9fe::", // 6to4 of private IPv4
		"5f00::1", "4000::1", "::2", // outside 2000::/3
	}
	for _, s := range blocked {
		if webhook.PublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("PublicAddr(%s) = true, want false", s)
		}
	}
	public := []string{
		"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.0", "172.15.255.255",
		"172.32.0.0", "192.0.1.255", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"11.0.0.1", "169.253.255.255",
		"::ffff:8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888",
		"2001:200::1", "2002:808:808::1", "3ffe::1", "3fff:1000::1",
	}
	for _, s := range public {
		if !webhook.PublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("PublicAddr(%s) = false, want true", s)
		}
	}
	// Every IPv4 address keeps its verdict in its IPv4-mapped and 6to4 forms.
	for _, list := range [][]string{blocked, public} {
		for _, s := range list {
			a := netip.MustParseAddr(s)
			if !a.Is4() {
				continue
			}
			v4 := a.As4()
			mapped := netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]})
			sixToFour := netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: v4[0], 3: v4[1], 4: v4[2], 5: v4[3], 15: 1})
			want := webhook.PublicAddr(a)
			if webhook.PublicAddr(mapped) != want || webhook.PublicAddr(sixToFour) != want {
				t.Errorf("PublicAddr(%s) = %v but %s gives %v and %s gives %v", a, want,
					mapped, webhook.PublicAddr(mapped), sixToFour, webhook.PublicAddr(sixToFour))
			}
		}
	}
	if webhook.PublicAddr(netip.Addr{}) {
		t.Errorf("PublicAddr(zero Addr) = true")
	}
	if webhook.PublicAddr(netip.MustParseAddr("2606:4700:4700::1111%eth0")) {
		t.Errorf("PublicAddr(zoned address) = true")
	}
}

func TestCheckURL(t *testing.T) {
	resolver := newFakeResolver(map[string][][]string{
		"hooks.example.com":    {{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}},
		"v6.example.com":       {{"2a00:1450:4001:80b::200e"}},
		"internal.example.com": {{"10.1.2.3"}},
		"metadata.example.com": {{"169.254.169.254"}},
		"mixed.example.com":    {{"93.184.215.14", "127.0.0.1"}},
		"mapped.example.com":   {{"::ffff:192.168.0.1"}},
		"nat64.example.com":    {{"64:ff9b::a9fe:a9fe"}},
		"ula.example.com":      {{"fd00::1"}},
		"empty.example.com":    {{}},
		"localhost":            {{"93.184.215.14"}},
		"app.localhost":        {{"93.184.215.14"}},
	})
	opts := webhook.Options{Resolver: resolver}
	for _, tc := range []struct {
		url  string
		want error // nil means accepted
	}{
		{"https://hooks.example.com/tonegrid", nil},
		{"http://hooks.example.com:8443/x?y=1#z", nil},
		{"HTTPS://HOOKS.example.com./in", nil},
		{"https://v6.example.com:1/", nil},
		{"https://93.184.215.14/hook", nil},
		{"http://[2606:4700:4700::1111]:8080/hook", nil},
		{"https://internal.example.com/", webhook.ErrBlockedAddress},
		{"https://metadata.example.com/latest/meta-data", webhook.ErrBlockedAddress},
		{"https://mixed.example.com/", webhook.ErrBlockedAddress},
		{"https://mapped.example.com/", webhook.ErrBlockedAddress},
		{"https://nat64.example.com/", webhook.ErrBlockedAddress},
		{"https://ula.example.com/", webhook.ErrBlockedAddress},
		{"https://localhost/", webhook.ErrBlockedAddress},
		{"https://app.localhost:3000/", webhook.ErrBlockedAddress},
		{"http://127.0.0.1/", webhook.ErrBlockedAddress},
		{"http://10.0.0.1:8080/", webhook.ErrBlockedAddress},
		{"http://0.0.0.0/", webhook.ErrBlockedAddress},
		{"http://[::1]/", webhook.ErrBlockedAddress},
		{"http://[::ffff:127.0.0.1]/", webhook.ErrBlockedAddress},
		{"http://[::ffff:7f00:1]/", webhook.ErrBlockedAddress},
		{"http://[64:ff9b::808:808]/", webhook.ErrBlockedAddress},
		{"http://[fe80::1]/", webhook.ErrBlockedAddress},
		{"http://100.100.100.200/", webhook.ErrBlockedAddress},
		{"http://198.18.0.1/", webhook.ErrBlockedAddress},
		{"http://224.0.0.251/", webhook.ErrBlockedAddress},
		{"http://255.255.255.255/", webhook.ErrBlockedAddress},
		{"https://nowhere.example.com/", webhook.ErrUnresolvable},
		{"https://empty.example.com/", webhook.ErrUnresolvable},
		{"ftp://hooks.example.com/", webhook.ErrInvalidURL},
		{"file:///etc/passwd", webhook.ErrInvalidURL},
		{"gopher://hooks.example.com/", webhook.ErrInvalidURL},
		{"hooks.example.com/path", webhook.ErrInvalidURL},
		{"//hooks.example.com/path", webhook.ErrInvalidURL},
		{"/relative", webhook.ErrInvalidURL},
		{"", webhook.ErrInvalidURL},
		{"https:hooks.example.com", webhook.ErrInvalidURL},
		{"https://", webhook.ErrInvalidURL},
		{"https:///path", webhook.ErrInvalidURL},
		{"https://user:pass@hooks.example.com/", webhook.ErrInvalidURL},
		{"https://user@hooks.example.com/", webhook.ErrInvalidURL},
		{"https://hooks.example.com:0/", webhook.ErrInvalidURL},
		{"https://hooks.example.com:65536/", webhook.ErrInvalidURL},
		{"https://hooks.example.com:/", webhook.ErrInvalidURL},
		{"https://hooks.example.com:http/", webhook.ErrInvalidURL},
		{"http://[fe80::1%25eth0]/", webhook.ErrInvalidURL},
		{"http://[127.0.0.1]/", webhook.ErrInvalidURL},
		{"http://2130706433/", webhook.ErrInvalidURL},
		{"http://127.1/", webhook.ErrInvalidURL},
		{"http://0x7f.0x0.0x0.0x1/", webhook.ErrInvalidURL},
		{"http://0x7f000001/", webhook.ErrInvalidURL},
		{"http://017700000001/", webhook.ErrInvalidURL},
		{"http://hooks..example.com/", webhook.ErrInvalidURL},
		{"http://-hooks.example.com/", webhook.ErrInvalidURL},
		{"http://hooks.example.com\\@127.0.0.1/", webhook.ErrInvalidURL},
		{"http://bücher.example/", webhook.ErrInvalidURL},
		{"http://" + strings.Repeat("a", 64) + ".example.com/", webhook.ErrInvalidURL},
		{"https://hooks.example.com/" + strings.Repeat("a", webhook.MaxURLLength), webhook.ErrInvalidURL},
		{"https://hooks.example.com/\x00", webhook.ErrInvalidURL},
		{"https://hooks.example.com/ space", webhook.ErrInvalidURL},
	} {
		err := webhook.CheckURL(context.Background(), tc.url, opts)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("CheckURL(%q) = %v, want %v", tc.url, err, tc.want)
		}
	}
}

func TestCheckURLAllowPrivate(t *testing.T) {
	opts := webhook.Options{AllowPrivate: true, Resolver: newFakeResolver(nil)}
	for _, url := range []string{"http://127.0.0.1:8080/hook", "http://localhost/", "http://[::1]/", "http://10.0.0.1/", "http://nowhere.internal/"} {
		if err := webhook.CheckURL(context.Background(), url, opts); err != nil {
			t.Errorf("CheckURL(%q) with AllowPrivate = %v, want nil", url, err)
		}
	}
	for _, url := range []string{"ftp://127.0.0.1/", "http://user:pw@127.0.0.1/", "http:///x"} {
		if err := webhook.CheckURL(context.Background(), url, opts); !errors.Is(err, webhook.ErrInvalidURL) {
			t.Errorf("CheckURL(%q) with AllowPrivate = %v, want ErrInvalidURL", url, err)
		}
	}
}
