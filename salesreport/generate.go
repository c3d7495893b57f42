package salesreport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tonegrid/money"
)

// Recording is a track the generator reports sales for: its ISRC and the
// UPC of the release it is on.
type Recording struct {
	ISRC string
	UPC  string
}

// GenerateOptions describes a synthetic sales report.
type GenerateOptions struct {
	// Format is FormatCSV or FormatDSR.
	Format Format
	// Lines is the number of sales lines (CSV rows, DSR SU02 records).
	Lines int
	// Seed makes the report: the same options always give the same bytes.
	Seed uint64
	// Recordings are the tracks sales are reported for, grouped into
	// releases by UPC. Empty means SyntheticCatalog(200, 10).
	Recordings []Recording
	// UnmatchedPercent (0–100) is the share of releases, and so roughly of
	// lines, reported with ISRCs and UPCs that are not in Recordings.
	UnmatchedPercent int
	// DSP is the store's name; "ExampleDSP" when empty.
	DSP string
	// Period is the month reported, "YYYY-MM"; "2024-01" when empty.
	Period string
}

// SyntheticCatalog returns releases×tracksPerRelease recordings with valid
// looking, deterministic ISRCs (QZGEN24nnnnn) and UPCs, for tests and
// benchmarks that need a catalog to match against.
func SyntheticCatalog(releases, tracksPerRelease int) []Recording {
	out := make([]Recording, 0, releases*tracksPerRelease)
	n := 0
	for r := range releases {
		upc := fmt.Sprintf("1900%08d", r+1)
		for range tracksPerRelease {
			n++
			out = append(out, Recording{ISRC: fmt.Sprintf("QZGEN24%05d", n%100000), UPC: upc})
		}
	}
	return out
}

// Generate writes a deterministic synthetic sales report. A DSR report is a
// valid BasicAudioProfile 1.2 file (HEAD, one SY02.02 per territory and tier,
// blocks of RE01, AS02.02 and SU02 records, FOOT) whose summaries declare
// exactly the totals of its lines, so it reads back and reconciles exactly.
// CSV and DSR reports made with the same options hold the same lines with
// the same amounts.
func Generate(w io.Writer, opts GenerateOptions) error {
	g, err := newGenerator(opts)
	if err != nil {
		return fmt.Errorf("generate sales report: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch opts.Format {
	case FormatCSV:
		err = g.writeCSV(bw)
	case FormatDSR:
		err = g.writeDSR(bw)
	default:
		err = fmt.Errorf("unknown format %q", opts.Format)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("generate sales report: %w", err)
	}
	return nil
}

// genContext is a sales context: one summary record.
type genContext struct {
	territory, currency     string
	model, useType, service string
	rate                    int64 // revenue per unit, in 10^−10 of the currency
	usages                  int64
	revenue                 money.Decimal
}

type genRelease struct {
	upc   string
	isrcs []string
}

type genLine struct {
	track, context int
	units          int64
}

// genBlock is one release and its lines.
type genBlock struct {
	number  int
	release *genRelease
	lines   []genLine
}

type generator struct {
	opts      GenerateOptions
	contexts  []genContext
	releases  []genRelease
	unmatched genRelease // reused for each unmatched block
	start     time.Time
	end       time.Time
}

// The territories and tiers generated reports cover.
var (
	genTerritories = []struct{ code, currency string }{
		{"US", "USD"}, {"GB", "GBP"}, {"DE", "EUR"}, {"FR", "EUR"}, {"BR", "BRL"},
		{"JP", "JPY"}, {"SE", "SEK"}, {"MX", "MXN"}, {"IN", "INR"}, {"KW", "KWD"},
	}
	genTiers = []struct{ model, useType, service string }{
		{"SubscriptionModel", "OnDemandStream", "Premium"},
		{"AdvertisementSupportedModel", "OnDemandStream", "Free"},
	}
)

func newGenerator(opts GenerateOptions) (*generator, error) {
	if opts.Lines < 0 {
		return nil, errors.New("negative number of lines")
	}
	if opts.UnmatchedPercent < 0 || opts.UnmatchedPercent > 100 {
		return nil, fmt.Errorf("unmatched percent %d outside 0…100", opts.UnmatchedPercent)
	}
	if opts.DSP == "" {
		opts.DSP = "ExampleDSP"
	}
	if opts.Period == "" {
		opts.Period = "2024-01"
	}
	start, err := time.Parse("2006-01", opts.Period)
	if err != nil {
		return nil, fmt.Errorf("period %q: want YYYY-MM", opts.Period)
	}
	if len(opts.Recordings) == 0 {
		opts.Recordings = SyntheticCatalog(200, 10)
	}
	g := &generator{opts: opts, start: start, end: start.AddDate(0, 1, -1)}
	byUPC := map[string]int{}
	for _, rec := range opts.Recordings {
		i, ok := byUPC[rec.UPC]
		if !ok || rec.UPC == "" {
			i = len(g.releases)
			byUPC[rec.UPC] = i
			g.releases = append(g.releases, genRelease{upc: rec.UPC})
		}
		g.releases[i].isrcs = append(g.releases[i].isrcs, rec.ISRC)
	}
	rng := prng{state: opts.Seed ^ 0x5eed}
	for _, tier := range genTiers {
		for _, t := range genTerritories {
			g.contexts = append(g.contexts, genContext{
				territory: t.code, currency: t.currency,
				model: tier.model, useType: tier.useType, service: tier.service,
				rate: 100_000 + int64(rng.intn(60_000_000)),
			})
		}
	}
	return g, nil
}

// walk calls fn for each block of the report, the same blocks in the same
// order on every call.
func (g *generator) walk(fn func(*genBlock) error) error {
	rng := prng{state: g.opts.Seed}
	var b genBlock
	unmatchedTracks := 0
	for left := g.opts.Lines; left > 0; {
		b.number++
		b.lines = b.lines[:0]
		if rng.intn(100) < g.opts.UnmatchedPercent {
			u := &g.unmatched
			u.upc = fmt.Sprintf("0999%08d", b.number%100_000_000)
			u.isrcs = u.isrcs[:0]
			for range 1 + rng.intn(12) {
				unmatchedTracks++
				u.isrcs = append(u.isrcs, fmt.Sprintf("ZZUNM24%05d", unmatchedTracks%100000))
			}
			b.release = u
		} else {
			b.release = &g.releases[rng.intn(len(g.releases))]
		}
		for track := range b.release.isrcs {
			for ctx := range g.contexts {
				if rng.intn(4) == 0 && len(b.lines) < left {
					b.lines = append(b.lines, genLine{track: track, context: ctx, units: g.units(&rng)})
				}
			}
		}
		if len(b.lines) == 0 {
			b.lines = append(b.lines, genLine{context: rng.intn(len(g.contexts)), units: g.units(&rng)})
		}
		left -= len(b.lines)
		if err := fn(&b); err != nil {
			return err
		}
	}
	return nil
}

// units draws a stream count spread over several orders of magnitude.
func (g *generator) units(rng *prng) int64 { return 1 + int64(rng.intn(1<<rng.intn(15))) }

// amount is a line's revenue: its context's rate times its units.
func (g *generator) amount(l genLine) money.Decimal {
	return money.New(g.contexts[l.context].rate*l.units, money.AmountScale)
}

func (g *generator) writeCSV(w *bufio.Writer) error {
	if _, err := w.WriteString(strings.Join(CSVColumns[:], ",") + "\n"); err != nil {
		return err
	}
	period, dsp := csvField(g.opts.Period), csvField(g.opts.DSP)
	var buf []byte
	return g.walk(func(b *genBlock) error {
		for _, l := range b.lines {
			c := &g.contexts[l.context]
			buf = append(buf[:0], period...)
			buf = append(buf, ',')
			buf = append(buf, dsp...)
			buf = append(buf, ',')
			buf = append(buf, c.territory...)
			buf = append(buf, ',')
			buf = append(buf, b.release.isrcs[l.track]...)
			buf = append(buf, ',')
			buf = append(buf, b.release.upc...)
			buf = append(buf, ',')
			buf = append(buf, c.useType...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, l.units, 10)
			buf = append(buf, ',')
			buf, _ = g.amount(l).AppendText(buf)
			buf = append(buf, ',')
			buf = append(buf, c.currency...)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}

// csvField quotes a value when RFC 4180 requires it.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// dsrWriter writes DSR records, counting lines for FOOT.
type dsrWriter struct {
	w     *bufio.Writer
	buf   []byte
	lines int64
	err   error
}

// record writes one record of single-value cells, escaped.
func (d *dsrWriter) record(cells ...string) {
	d.buf = d.buf[:0]
	for i, c := range cells {
		if i > 0 {
			d.buf = append(d.buf, '\t')
		}
		d.buf = escapeValue(d.buf, c)
	}
	d.raw(d.buf)
}

// raw writes a line as is.
func (d *dsrWriter) raw(line []byte) {
	if d.err != nil {
		return
	}
	if _, d.err = d.w.Write(line); d.err == nil {
		d.err = d.w.WriteByte('\n')
	}
	d.lines++
}

// The heading comments written once per record type, as DDEX recommends.
var dsrHeadings = map[string]string{
	"HEAD":    "#HEAD\tMessageVersion\tProfile\tProfileVersion\tMessageId\tMessageCreatedDateTime\tFileNumber\tNumberOfFiles\tUsageStartDate\tUsageEndDate\tSenderPartyId\tSenderName\tServiceDescription\tRecipientPartyId\tRecipientName\tRepresentedRepertoire",
	"SY02.02": "#SY02.02\tSummaryRecordId\tDistributionChannel\tDistributionChannelDPID\tCommercialModel\tUseType\tTerritory\tServiceDescription\tUsages\tUsers\tCurrencyOfReporting\tNetRevenue\tRightsController\tRightsControllerPartyId\tAllocatedUsages\tAllocatedRevenue\tAllocatedNetRevenue\tRightsType\tContentCategory\tCurrencyOfTransaction\tExchangeRate\tRightsTypePercentage",
	"RE01":    "#RE01\tBlockId\tReleaseReference\tDspReleaseId\tProprietaryReleaseId\tCatalogNumber\tICPN\tDisplayArtistName\tDisplayArtistPartyId\tTitle\tSubTitle\tReleaseType\tLabel\tPLine\tDataProvider",
	"AS02.02": "#AS02.02\tBlockId\tResourceReference\tDspResourceId\tISRC\tTitle\tSubTitle\tDisplayArtistName\tDisplayArtistPartyId\tDuration\tResourceType\tISWC\tComposerAuthor\tComposerAuthorPartyId\tArranger\tArrangerPartyId\tMusicPublisher\tMusicPublisherPartyId\tWorkContributor\tWorkContributorPartyId\tProprietaryWorkId\tIsMasterRecording",
	"SU02":    "#SU02\tBlockId\tSummaryRecordId\tSalesTransactionId\tTransactedRelease\tTransactedResource\tIsRoyaltyBearing\tNumberOfStreams\tPriceConsumerPaidExcSalesTax\tPromotionalActivity",
	"FOOT":    "#FOOT\tNumberOfLinesInFile\tNumberOfLinesInReport\tNumberOfSummaryRecords\tNumberOfBlocksInFile\tNumberOfBlocksInReport",
}

const (
	genSenderID    = "PADPIDA0000000002Y"
	genRecipientID = "PADPIDA0000000001X"
	genRecipient   = "ToneGrid"
)

func (g *generator) writeDSR(w *bufio.Writer) error {
	// First pass: the summaries declare the totals of the lines to come.
	err := g.walk(func(b *genBlock) error {
		for _, l := range b.lines {
			c := &g.contexts[l.context]
			c.usages += l.units
			var err error
			if c.revenue, err = c.revenue.Add(g.amount(l)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	d := &dsrWriter{w: w}
	var services []string
	for _, t := range genTiers {
		services = append(services, t.service)
	}
	heading := func(kind string) { d.raw([]byte(dsrHeadings[kind])) }

	heading("HEAD")
	d.record("HEAD", "dsrf/1.1.2/1.6/1.0", "BasicAudioProfile", "1.2",
		fmt.Sprintf("TG-GEN-%d", g.opts.Seed), g.end.AddDate(0, 0, 5).Format("2006-01-02")+"T00:00:00Z",
		"1", "1", g.start.Format(time.DateOnly), g.end.Format(time.DateOnly),
		genSenderID, g.opts.DSP, strings.Join(services, "-"), genRecipientID, genRecipient, "")
	heading("SY02.02")
	for i, c := range g.contexts {
		usages, revenue := strconv.FormatInt(c.usages, 10), c.revenue.String()
		d.record("SY02.02", strconv.Itoa(i+1), "", "", c.model, c.useType, c.territory, c.service,
			usages, "", c.currency, revenue, genRecipient, genRecipientID, usages, revenue,
			"", "", "Music", "", "", "")
	}
	headed := false
	blocks := 0
	sales := 0
	err = g.walk(func(b *genBlock) error {
		blocks++
		if !headed {
			heading("RE01")
			heading("AS02.02")
			heading("SU02")
			headed = true
		}
		block := strconv.Itoa(b.number)
		rel := b.release
		d.record("RE01", block, "RL1", "dsp:album:"+block, "", "", rel.upc, "Artist "+block, "",
			"Release "+block, "", "Album", "Label "+block, "", "")
		for i, isrc := range rel.isrcs {
			ref := "RS" + strconv.Itoa(i+1)
			d.record("AS02.02", block, ref, "dsp:track:"+block+"-"+strconv.Itoa(i+1), isrc,
				"Track "+strconv.Itoa(i+1), "", "Artist "+block, "", "PT3M30S", "SoundRecording",
				"", "", "", "", "", "", "", "", "", "", "")
		}
		for _, l := range b.lines {
			sales++
			d.record("SU02", block, strconv.Itoa(l.context+1), strconv.Itoa(sales), "",
				"RS"+strconv.Itoa(l.track+1), "true", strconv.FormatInt(l.units, 10), "", "")
		}
		return d.err
	})
	if err != nil {
		return err
	}
	heading("FOOT")
	lines := strconv.FormatInt(d.lines+1, 10)
	d.record("FOOT", lines, lines, strconv.Itoa(len(g.contexts)), strconv.Itoa(blocks), strconv.Itoa(blocks))
	return d.err
}

// prng is SplitMix64: a tiny generator whose sequence never changes between
// Go releases, so generated reports stay byte-for-byte reproducible.
type prng struct{ state uint64 }

func (p *prng) next() uint64 {
	p.state += 0x9e3779b97f4a7c15
	z := p.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn returns a number in [0, n); the modulo bias is irrelevant here.
func (p *prng) intn(n int) int { return int(p.next() % uint64(n)) }
