package httpapi

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"tonegrid"
)

// Upload limits of the media routes: the file limits of the contract plus
// room for the multipart envelope (boundaries, part headers, small fields).
const (
	multipartSlack    = 1 << 20
	audioBodyLimit    = 1<<30 + multipartSlack
	imageBodyLimit    = 50<<20 + multipartSlack
	videoBodyLimit    = 5<<30 + multipartSlack
	uploadPartMaxBody = 64 << 20
	maxAudioMB        = 1024
	maxImageMB        = 50
	maxVideoMB        = 5120
	uploadRefMaxBody  = 4 << 10
	// uploadReadBuffer is how much of an upload body is read at once.
	uploadReadBuffer = 1 << 20
)

// fileRoute describes one multipart upload route: the form field that
// holds the file, the body limit and the error of a body that is too big,
// and what a missing file answers.
type fileRoute struct {
	field    string
	limit    int64
	tooLarge *tonegrid.Error
	missing  func() error
}

// requiredField is the 422 of a multipart body without the file field.
func requiredField(name string) func() error {
	return func() error {
		var v tonegrid.Violations
		v.Add(name, "required")
		return v.Err()
	}
}

var (
	audioRoute    = fileRoute{"audio", audioBodyLimit, tonegrid.ErrFileTooLarge.Format(maxAudioMB), func() error { return tonegrid.ErrAudioMissing }}
	artworkRoute  = fileRoute{"image", imageBodyLimit, tonegrid.ErrFileTooLarge.Format(maxImageMB), requiredField("image")}
	animatedRoute = fileRoute{"video", imageBodyLimit, tonegrid.ErrAnimatedArtworkTooLarge, requiredField("video")}
	videoRoute    = fileRoute{"video", videoBodyLimit, tonegrid.ErrFileTooLarge.Format(maxVideoMB), requiredField("video")}
)

// uploadRef is the JSON body that attaches a completed resumable upload.
type uploadRef struct {
	UploadID string `json:"upload_id"`
}

// serveFile runs one file upload route. A JSON body attaches a completed
// resumable upload through attach; a multipart body streams the file part
// named fr.field through upload, never reading it whole. Any other body,
// or a multipart body without that part, answers fr.missing.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, fr fileRoute, upload func(io.Reader) (any, error), attach func(uploadID string) (any, error)) (any, error) {
	// A declared length past the limit is refused before a byte is read.
	if r.ContentLength > fr.limit {
		return nil, fr.tooLarge
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		r.Body = http.MaxBytesReader(w, r.Body, uploadRefMaxBody)
		var ref uploadRef
		if err := decodeJSON(r, &ref); err != nil {
			return nil, err
		}
		if ref.UploadID == "" {
			return nil, fr.missing()
		}
		id, err := uuid.Parse(ref.UploadID)
		if err != nil {
			return nil, tonegrid.ErrUploadNotFound
		}
		return attach(id.String())
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, fr.missing()
		}
	default:
		return nil, fr.missing()
	}
	// multipart.Reader reads through a bufio.Reader of 4 KiB unless given
	// a bigger one: with this one a 1 GB file is read from the connection
	// and handed on in chunks of up to 1 MiB, not 4 KiB (a quarter of a
	// million fewer reads and writes per GB).
	mr := multipart.NewReader(bufio.NewReaderSize(idleBody(w, r), uploadReadBuffer), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, fr.missing()
		}
		if err != nil {
			return nil, bodyError(err, fr)
		}
		if part.FormName() != fr.field {
			// Other fields are passed over, bounded by the body limit.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, bodyError(err, fr)
			}
			continue
		}
		out, err := upload(part)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fr.tooLarge
		}
		return out, err
	}
}

// uploadIdleTimeout is how long an upload body may send nothing before the
// server gives up on it. There is no overall read timeout (a 5 GB video on
// a slow link takes long); a client that stalls is cut off instead.
var uploadIdleTimeout = 60 * time.Second

// idleBody returns r's body with a read deadline pushed uploadIdleTimeout
// ahead before each read, when the connection allows it.
func idleBody(w http.ResponseWriter, r *http.Request) io.Reader {
	return &idleReader{r: r.Body, rc: http.NewResponseController(w)}
}

type idleReader struct {
	r  io.Reader
	rc *http.ResponseController
}

func (ir *idleReader) Read(p []byte) (int, error) {
	// An error means the connection cannot take deadlines (HTTP/2 test
	// recorders); the read goes ahead without one.
	_ = ir.rc.SetReadDeadline(time.Now().Add(uploadIdleTimeout))
	return ir.r.Read(p)
}

// bodyError maps a failure reading the multipart envelope around the
// file: past the route's limit is the route's 413, a body cut short is
// upload_incomplete.
func bodyError(err error, fr fileRoute) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return fr.tooLarge
	}
	if _, ok := tonegrid.ErrorOf(err); ok {
		return err
	}
	return errors.Join(tonegrid.ErrUploadIncomplete, err)
}

func (s *Server) handleTrackAudio(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	p := principalOf(r)
	out, err := s.serveFile(w, r, audioRoute,
		func(f io.Reader) (any, error) { return s.deps.Media.UploadTrackAudio(r.Context(), p, id, f) },
		func(u string) (any, error) { return s.deps.Media.AttachUpload(r.Context(), p, "track", id, u) })
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleReleaseArtwork(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	p := principalOf(r)
	out, err := s.serveFile(w, r, artworkRoute,
		func(f io.Reader) (any, error) { return s.deps.Media.UploadReleaseArtwork(r.Context(), p, id, f) },
		func(u string) (any, error) { return s.deps.Media.AttachUpload(r.Context(), p, "artwork", id, u) })
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, out)
	return nil
}

// handleReleaseVideo serves both video routes: kind is
// tonegrid.MediaAnimatedArtwork or tonegrid.MediaVideo.
func (s *Server) handleReleaseVideo(kind string) handlerFunc {
	fr := videoRoute
	if kind == tonegrid.MediaAnimatedArtwork {
		fr = animatedRoute
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
		if err != nil {
			return err
		}
		p := principalOf(r)
		out, err := s.serveFile(w, r, fr,
			func(f io.Reader) (any, error) { return s.deps.Media.UploadReleaseVideo(r.Context(), p, id, kind, f) },
			func(u string) (any, error) { return s.deps.Media.AttachUpload(r.Context(), p, kind, id, u) })
		if err != nil {
			return err
		}
		writeData(w, http.StatusCreated, out)
		return nil
	}
}

// uploadBody is the JSON that starts a resumable upload.
type uploadBody struct {
	Kind        field[string] `json:"kind"`
	Filename    field[string] `json:"filename"`
	Size        field[int64]  `json:"size"`
	ContentType field[string] `json:"content_type"`
}

func (s *Server) handleUploadCreate(w http.ResponseWriter, r *http.Request) error {
	var b uploadBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var v tonegrid.Violations
	if !b.Kind.given() || b.Kind.value == "" {
		v.Add("kind", "required")
	}
	if !b.Filename.given() || b.Filename.value == "" {
		v.Add("filename", "required")
	}
	if !b.Size.given() {
		v.Add("size", "required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	u, err := s.deps.Media.CreateUpload(r.Context(), principalOf(r), tonegrid.UploadCreate{
		Kind: b.Kind.value, Filename: b.Filename.value, Size: b.Size.value, ContentType: b.ContentType.value,
	})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, u)
	return nil
}

func (s *Server) handleUploadGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "id", tonegrid.ErrUploadNotFound)
	if err != nil {
		return err
	}
	u, err := s.deps.Media.FindUpload(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUploadPart(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "id", tonegrid.ErrUploadNotFound)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > 10000 {
		var v tonegrid.Violations
		v.Add("n", "out_of_range", "min", 1, "max", 10000)
		return v.Err()
	}
	part, err := s.deps.Media.PutUploadPart(r.Context(), principalOf(r), id, n, idleBody(w, r), r.ContentLength)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return tonegrid.ErrBodyTooLarge.Format(megabytes(tooLarge.Limit))
		}
		return err
	}
	writeData(w, http.StatusOK, part)
	return nil
}

func (s *Server) handleUploadComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "id", tonegrid.ErrUploadNotFound)
	if err != nil {
		return err
	}
	u, err := s.deps.Media.CompleteUpload(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUploadDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "id", tonegrid.ErrUploadNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Media.DeleteUpload(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Upload deleted.")
	return nil
}

// handleMediaDownload redirects to a short-lived signed URL when the blob
// store gives them, else serves the bytes itself with Range support
// (single and multiple ranges, If-Range on the ETag, HEAD).
func (s *Server) handleMediaDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrMediaNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Media.OpenMedia(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	if d.URL != "" {
		http.Redirect(w, r, d.URL, http.StatusFound)
		return nil
	}
	defer d.Close()
	w.Header().Set("Content-Type", d.Media.ContentType)
	w.Header().Set("Content-Disposition", d.ContentDisposition)
	w.Header().Set("ETag", `"`+d.Media.SHA256+`"`)
	http.ServeContent(w, r, "", d.Media.CreatedAt, d.Content)
	return nil
}
