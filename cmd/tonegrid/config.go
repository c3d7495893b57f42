package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"tonegrid/app"
	"tonegrid/ident"
)

// envVar documents one environment variable; the table is printed by --help.
type envVar struct{ name, meaning, def string }

var envVars = []envVar{
	{"TONEGRID_HTTP_ADDR", "listen address", "127.0.0.1:8080"},
	{"TONEGRID_DATA_DIR", "local state: SQLite file, blobs, generated secrets", "./data"},
	{"TONEGRID_DATABASE_URL", "sqlite:///path/file.db or postgres://…", "SQLite in the data dir"},
	{"TONEGRID_STORAGE_URL", "blob store: file:///path or s3://bucket?endpoint=…&region=…", "file:// in the data dir"},
	{"TONEGRID_REDIS_URL", "shared rate limits across instances", "in-process limits"},
	{"TONEGRID_PUBLIC_HOST", "the platform's own host name", "localhost"},
	{"TONEGRID_JWT_SECRET", "signing key", "generated and kept in the data dir"},
	{"TONEGRID_ADMIN_EMAIL", "first super_admin's email (empty database only)", "admin@<public host> (admin@localhost.localhost by default)"},
	{"TONEGRID_ADMIN_PASSWORD", "first super_admin's password (empty database only)", "random, printed once"},
	{"TONEGRID_MAIL", "log | dir:/path | smtp://user:pass@host:port", "log"},
	{"TONEGRID_RATE_LIMIT_AUTH", "auth requests per minute per principal", "5"},
	{"TONEGRID_RATE_LIMIT_STANDARD", "standard requests per minute per principal", "120"},
	{"TONEGRID_RATE_LIMIT_BULK", "bulk ingestion requests per minute per principal", "30"},
	{"TONEGRID_TRUSTED_PROXIES", "comma-separated CIDRs whose X-Forwarded-For is believed", "none"},
	{"TONEGRID_WEBHOOKS_ALLOW_PRIVATE", "let webhooks target loopback/private addresses", "false"},
	{"TONEGRID_STRIPE_API_BASE", "Stripe API base URL", "https://api.stripe.com"},
	{"TONEGRID_STRIPE_SECRET_KEY", "Stripe secret key", "none: checkout answers 502"},
	{"TONEGRID_STRIPE_WEBHOOK_SECRET", "Stripe webhook signing secret", "none"},
	{"TONEGRID_PAYSTACK_API_BASE", "Paystack API base URL", "https://api.paystack.co"},
	{"TONEGRID_PAYSTACK_SECRET_KEY", "Paystack secret key", "none: checkout answers 502"},
	{"TONEGRID_LOG_FORMAT", "text or json", "text on a terminal, else json"},
	{"TONEGRID_DDEX_SENDER_DPID", "the platform's DDEX Party ID (PADPIDA…) as sender of ERN messages", "PADPIDATONEGRID"},
}

// configFromEnv reads API.md §4's variables through getenv. It is the only
// code that reads the environment.
func configFromEnv(getenv func(string) string) (app.Config, error) {
	cfg := app.Config{
		HTTPAddr:            getenv("TONEGRID_HTTP_ADDR"),
		DataDir:             getenv("TONEGRID_DATA_DIR"),
		DatabaseURL:         getenv("TONEGRID_DATABASE_URL"),
		StorageURL:          getenv("TONEGRID_STORAGE_URL"),
		RedisURL:            getenv("TONEGRID_REDIS_URL"),
		PublicHost:          getenv("TONEGRID_PUBLIC_HOST"),
		JWTSecret:           getenv("TONEGRID_JWT_SECRET"),
		AdminEmail:          getenv("TONEGRID_ADMIN_EMAIL"),
		AdminPassword:       getenv("TONEGRID_ADMIN_PASSWORD"),
		Mail:                getenv("TONEGRID_MAIL"),
		StripeAPIBase:       getenv("TONEGRID_STRIPE_API_BASE"),
		StripeSecretKey:     getenv("TONEGRID_STRIPE_SECRET_KEY"),
		StripeWebhookSecret: getenv("TONEGRID_STRIPE_WEBHOOK_SECRET"),
		PaystackAPIBase:     getenv("TONEGRID_PAYSTACK_API_BASE"),
		PaystackSecretKey:   getenv("TONEGRID_PAYSTACK_SECRET_KEY"),
		DDEXSenderDPID:      getenv("TONEGRID_DDEX_SENDER_DPID"),
	}
	if cfg.DDEXSenderDPID != "" && !ident.ValidDPID(cfg.DDEXSenderDPID) {
		return cfg, fmt.Errorf("TONEGRID_DDEX_SENDER_DPID=%q: want a DDEX Party ID such as PADPIDA2014120301F", cfg.DDEXSenderDPID)
	}
	var err error
	if cfg.RateLimitAuth, err = positiveInt(getenv, "TONEGRID_RATE_LIMIT_AUTH"); err != nil {
		return cfg, err
	}
	if cfg.RateLimitStandard, err = positiveInt(getenv, "TONEGRID_RATE_LIMIT_STANDARD"); err != nil {
		return cfg, err
	}
	if cfg.RateLimitBulk, err = positiveInt(getenv, "TONEGRID_RATE_LIMIT_BULK"); err != nil {
		return cfg, err
	}
	if v := getenv("TONEGRID_WEBHOOKS_ALLOW_PRIVATE"); v != "" {
		if cfg.WebhooksAllowPrivate, err = strconv.ParseBool(v); err != nil {
			return cfg, fmt.Errorf("TONEGRID_WEBHOOKS_ALLOW_PRIVATE=%q: want true or false", v)
		}
	}
	for _, s := range strings.Split(getenv("TONEGRID_TRUSTED_PROXIES"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			addr, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return cfg, fmt.Errorf("TONEGRID_TRUSTED_PROXIES: %q is not a CIDR or an address", s)
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p.Masked())
	}
	switch f := getenv("TONEGRID_LOG_FORMAT"); f {
	case "", "text", "json":
	default:
		return cfg, fmt.Errorf("TONEGRID_LOG_FORMAT=%q: want text or json", f)
	}
	return cfg, nil
}

func positiveInt(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, v)
	}
	return n, nil
}
