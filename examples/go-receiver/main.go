// A minimal PipeRelay webhook receiver: Go standard library only.
//
//	WEBHOOK_SECRET=whsec_... PORT=3000 go run .
//
// It checks both signatures PipeRelay puts on every delivery, rejects
// timestamps more than five minutes away from this machine's clock, answers
// 204 when all is well and 401 otherwise, and prints each verified event.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	tolerance    = 5 * time.Minute
	maxBodyBytes = 1 << 20
	secretPrefix = "whsec_"
)

// timestampProblem says why the timestamp header is unacceptable, or "" when it is recent.
func timestampProblem(timestamp string) string {
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || seconds < 0 {
		return "missing or malformed timestamp"
	}
	age := time.Since(time.Unix(seconds, 0))
	if math.Abs(age.Seconds()) > tolerance.Seconds() {
		return "timestamp too old (or too far in the future)"
	}
	return ""
}

// anyEqual reports whether one of the space-separated candidates equals expected
// (several signatures may be sent, e.g. while a secret is rotated).
func anyEqual(candidates, expected string) bool {
	for _, candidate := range strings.Split(candidates, " ") {
		if hmac.Equal([]byte(candidate), []byte(expected)) {
			return true
		}
	}
	return false
}

// pipeRelayProblem checks X-PipeRelay-Signature: "v1=" + hex HMAC-SHA256 of
// "<timestamp>.<body>", keyed with the secret string as is (including "whsec_").
func pipeRelayProblem(header http.Header, body []byte, secret string) string {
	timestamp := header.Get("X-PipeRelay-Timestamp")
	signature := header.Get("X-PipeRelay-Signature")
	if signature == "" {
		return "missing X-PipeRelay-Signature"
	}
	if problem := timestampProblem(timestamp); problem != "" {
		return "X-PipeRelay-Timestamp: " + problem
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	if !anyEqual(signature, "v1="+hex.EncodeToString(mac.Sum(nil))) {
		return "X-PipeRelay-Signature does not match"
	}
	return ""
}

// standardWebhooksProblem checks the Standard Webhooks headers: webhook-signature
// is "v1," + base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>",
// keyed with the base64-decoded part of the secret after "whsec_".
func standardWebhooksProblem(header http.Header, body []byte, secret string) string {
	id := header.Get("Webhook-Id")
	timestamp := header.Get("Webhook-Timestamp")
	signature := header.Get("Webhook-Signature")
	if id == "" || signature == "" {
		return "missing webhook-id or webhook-signature"
	}
	if problem := timestampProblem(timestamp); problem != "" {
		return "webhook-timestamp: " + problem
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil {
		return "WEBHOOK_SECRET is not valid base64 after whsec_"
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	if !anyEqual(signature, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil))) {
		return "webhook-signature does not match"
	}
	return ""
}

func handler(secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		// Verify the exact bytes received, before any JSON parsing.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		problem := pipeRelayProblem(r.Header, body, secret)
		if problem == "" {
			problem = standardWebhooksProblem(r.Header, body, secret)
		}
		if problem != "" {
			fmt.Fprintf(os.Stderr, "rejected: %s\n", problem)
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintln(w, problem)
			return
		}
		// Delivery is at least once: a real receiver dedupes on this id before acting.
		fmt.Printf("webhook %s verified: %s\n", r.Header.Get("Webhook-Id"), body)
		w.WriteHeader(http.StatusNoContent)
	}
}

func main() {
	secret := os.Getenv("WEBHOOK_SECRET")
	if !strings.HasPrefix(secret, secretPrefix) {
		log.Fatal("set WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	listener, err := net.Listen("tcp", ":"+port)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://127.0.0.1:%d\n", listener.Addr().(*net.TCPAddr).Port)
	server := &http.Server{Handler: handler(secret), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}
