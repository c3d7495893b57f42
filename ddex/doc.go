// Package ddex builds the DDEX messages ToneGrid sends to stores and reads the
// ones stores send back: ERN 4.3 NewReleaseMessage (deliveries, updates and
// takedowns) and PurgeReleaseMessage, the deal terms inside them, the
// ern-c-sftp batch manifest (BatchComplete_<BatchId>.xml) with the batch
// profile's folder and file names, and the stores' AcknowledgementMessage.
//
// Every message is written from typed encoding/xml structs declared in the
// order of the XSD's sequences, so the same input always gives the same bytes
// and the output validates against the official schema; input that cannot be
// written validly is refused with an error wrapping ErrInvalid.
//
// The package turns domain values (package tonegrid) into bytes and back. It
// imports only the standard library and the root package: no storage, HTTP,
// blob or transport code. Uploading the files and the messages is the
// delivery package's job.
package ddex
