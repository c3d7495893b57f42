package webhook

import (
	"errors"
	"net"
	"testing"
)

// The dialer's Control hook refuses the socket's own address, the last line
// should a non-public IP ever reach the dialer.
func TestRefuseNonPublic(t *testing.T) {
	for _, tc := range []struct {
		address string
		public  bool
	}{
		{"8.8.8.8:443", true},
		{"[2606:4700:4700::1111]:443", true},
		{"127.0.0.1:80", false},
		{"[::1]:80", false},
		{"[::ffff:10.0.0.1]:80", false},
		{"169.254.169.254:80", false},
		{"[fe80::1%eth0]:80", false},
		{"not-an-address", false},
	} {
		err := refuseNonPublic("tcp", tc.address, nil)
		if tc.public && err != nil || !tc.public && !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("refuseNonPublic(%s) = %v, want public %v", tc.address, err, tc.public)
		}
	}
}

func TestControlRefusesBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: refuseNonPublic}
	conn, err := d.Dial("tcp", ln.Addr().String())
	if err == nil {
		conn.Close()
	}
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("dial loopback with the Control hook = %v, want ErrBlockedAddress", err)
	}
}
