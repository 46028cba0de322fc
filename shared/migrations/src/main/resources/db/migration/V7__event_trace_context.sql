-- Traces (issue 14): the W3C trace context (traceparent) of the request that recorded an outbound event, so
-- that the event, sent later by the relay or by gc's sweep, continues that request's trace. Null when the
-- change was made with tracing off (the event then goes without one).
ALTER TABLE events ADD COLUMN traceparent text;
