// Package mail delivers rendered emails through Resend or, in development, a mailbox kept in the database.
package mail

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is one rendered email ready to leave.
type Message struct {
	From, To, Subject, HTML, Text string
	// IdempotencyKey is derived from the outbox row so a retried send is delivered once.
	IdempotencyKey string
}

// Sender delivers one message. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SendError classifies a failed send so the outbox knows whether to retry.
type SendError struct {
	// Status is the HTTP status the provider answered, 0 when no answer arrived.
	Status int
	// Retryable is false only when sending the same message again cannot succeed.
	Retryable bool
	// RetryAfter is the provider's requested pause, 0 when it named none.
	RetryAfter time.Duration
	// Err is the underlying cause.
	Err error
}

// Error describes the failure without any credential.
func (e *SendError) Error() string {
	kind := "permanent"
	if e.Retryable {
		kind = "retryable"
	}
	if e.Status != 0 {
		return fmt.Sprintf("mail: send failed (%s, status %d): %v", kind, e.Status, e.Err)
	}
	return fmt.Sprintf("mail: send failed (%s): %v", kind, e.Err)
}

// Unwrap exposes the cause so callers can test for context.DeadlineExceeded and the like.
func (e *SendError) Unwrap() error { return e.Err }

// Retryable reports whether err is worth another attempt and how long the provider asked to wait.
// Errors that are not a *SendError (network, timeout, cancelled context) are assumed transient,
// because giving up on them would lose mail that a later attempt would deliver.
func Retryable(err error) (retry bool, after time.Duration) {
	if err == nil {
		return false, 0
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Retryable, se.RetryAfter
	}
	return true, 0
}
