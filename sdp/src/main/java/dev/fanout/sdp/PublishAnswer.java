package dev.fanout.sdp;

/** The server's answer to a publisher's offer, and what it negotiated. */
public record PublishAnswer(SessionDescription answer, NegotiatedSession negotiated) {}
