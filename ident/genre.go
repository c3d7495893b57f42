package ident

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Genre is one entry of the catalog's genre list: a top-level genre, whose
// Parent is "", or a subgenre of the top-level genre named by Parent.
type Genre struct {
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

// Genres returns the catalog's genre list, each top-level genre followed by
// its subgenres. The slice is the caller's to keep or change.
func Genres() []Genre {
	out := make([]Genre, len(genreList))
	copy(out, genreList)
	return out
}

// LookupGenre finds a genre or subgenre by name, ignoring case, accents,
// spaces, hyphens and apostrophes ("hip hop / rap" finds "Hip-Hop/Rap"), and
// returns it with its canonical name.
func LookupGenre(name string) (Genre, bool) {
	i, ok := genreIndex[genreKey(name)]
	if !ok {
		return Genre{}, false
	}
	return genreList[i], true
}

// genreKey folds a genre name to what LookupGenre compares: lowercase, without
// accents, spaces, hyphens or apostrophes.
func genreKey(name string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.IsSpace(r), isApostrophe(r),
			r == '-', r == '‐', r == '‑', r == '–', r == '_':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// genreTree is the genre list as written: top-level genres in alphabetical
// order, each with its subgenres. Names are unique across the whole tree,
// even after genreKey's folding.
var genreTree = []struct {
	name string
	subs []string
}{
	{"Afrobeats", []string{"Afro-Fusion", "Afrobeat", "Afropop", "Alté", "Bongo Flava", "Highlife"}},
	{"Alternative", []string{"Emo", "Grunge", "Indie Pop", "Indie Rock", "New Wave", "Post-Punk", "Punk"}},
	{"Amapiano", []string{"Bacardi", "Gqom", "Private School Amapiano"}},
	{"Anime", nil},
	{"Blues", []string{"Acoustic Blues", "Chicago Blues", "Contemporary Blues", "Delta Blues", "Electric Blues"}},
	{"Children's Music", []string{"Children's Stories", "Lullabies", "Sing-Along"}},
	{"Christian & Gospel", []string{"Christian Hip-Hop", "Christian Pop", "Christian Rock", "Contemporary Christian", "Gospel", "Praise & Worship"}},
	{"Classical", []string{"Baroque Era", "Chamber Music", "Choral", "Classical Crossover", "Modern Era", "Opera", "Orchestral", "Romantic Era"}},
	{"Comedy", []string{"Novelty", "Stand-Up Comedy"}},
	{"Country", []string{"Americana", "Bluegrass", "Contemporary Country", "Country Pop", "Outlaw Country", "Traditional Country"}},
	{"Dance", []string{"Breakbeat", "Deep House", "Drum & Bass", "House", "Tech House", "Techno", "Trance", "UK Garage"}},
	{"Easy Listening", []string{"Lounge", "Standards", "Traditional Pop"}},
	{"Electronic", []string{"Ambient", "Downtempo", "Dubstep", "Electronica", "IDM/Experimental", "Synthwave", "Trip-Hop"}},
	{"Fitness & Workout", nil},
	{"Hip-Hop/Rap", []string{"Alternative Rap", "Boom Bap", "Drill", "East Coast Rap", "Grime", "Lo-Fi Hip-Hop", "Old School Rap", "Trap", "West Coast Rap"}},
	{"Holiday", []string{"Chanukah", "Christmas", "Halloween"}},
	{"Instrumental", nil},
	{"J-Pop", []string{"City Pop", "J-Rock", "Vocaloid"}},
	{"Jazz", []string{"Bebop", "Big Band", "Contemporary Jazz", "Cool Jazz", "Jazz Fusion", "Latin Jazz", "Smooth Jazz", "Vocal Jazz"}},
	{"K-Pop", []string{"K-Ballad", "K-Hip-Hop", "K-R&B", "Trot"}},
	{"Karaoke", nil},
	{"Latin", []string{"Bachata", "Bossa Nova", "Cumbia", "Funk Brasileiro", "Latin Pop", "Latin Rock", "Latin Trap", "MPB", "Regional Mexican", "Reggaeton", "Salsa", "Sertanejo"}},
	{"Metal", []string{"Black Metal", "Death Metal", "Heavy Metal", "Metalcore", "Nu Metal", "Thrash Metal"}},
	{"New Age", []string{"Healing", "Meditation", "Nature Sounds", "Relaxation"}},
	{"Pop", []string{"Adult Contemporary", "Dance Pop", "Electropop", "Hyperpop", "Pop Rock", "Synth-Pop"}},
	{"R&B/Soul", []string{"Alternative R&B", "Contemporary R&B", "Disco", "Funk", "Motown", "Neo-Soul", "Soul"}},
	{"Reggae", []string{"Dancehall", "Dub", "Lovers Rock", "Roots Reggae", "Ska", "Soca"}},
	{"Rock", []string{"Classic Rock", "Garage Rock", "Hard Rock", "Pop Punk", "Post-Rock", "Progressive Rock", "Psychedelic Rock", "Rock & Roll", "Rockabilly"}},
	{"Singer/Songwriter", []string{"Acoustic", "Contemporary Folk", "Folk-Rock", "Indie Folk", "Traditional Folk"}},
	{"Soundtrack", []string{"Film Score", "Musicals", "TV Soundtrack", "Video Game Music"}},
	{"Spoken Word", []string{"Audiobook", "Poetry", "Speeches", "Storytelling"}},
	{"World", []string{"Arabic Pop", "Bhangra", "Bollywood", "Cantopop", "Celtic", "Chanson", "Fado", "Flamenco", "Indian Classical", "Mandopop"}},
}

// genreList and genreIndex are genreTree flattened and indexed by genreKey.
var genreList, genreIndex = flattenGenres()

func flattenGenres() ([]Genre, map[string]int) {
	var list []Genre
	for _, g := range genreTree {
		list = append(list, Genre{Name: g.name})
		for _, sub := range g.subs {
			list = append(list, Genre{Name: sub, Parent: g.name})
		}
	}
	index := make(map[string]int, len(list))
	for i, g := range list {
		index[genreKey(g.Name)] = i
	}
	return list, index
}
