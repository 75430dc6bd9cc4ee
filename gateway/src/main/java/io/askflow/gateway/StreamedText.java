package io.askflow.gateway;

/**
 * Which part of a turn's streamed text a chat-completions client still needs. A chunk stream cannot
 * take text back, so a model call repeated after a {@code retry} is forwarded only where it goes
 * beyond what its round already sent, and the committed answer adds what the deltas missed.
 */
final class StreamedText {
    private final StringBuilder sent = new StringBuilder();
    private int round = -1;
    private String sentInRound = "";
    private StringBuilder attempt = new StringBuilder();

    /** @return the new text to send for a delta of {@code inRound}; empty when an attempt repeats what was sent */
    String delta(int inRound, String piece) {
        if (inRound != round) {
            round = inRound;
            sentInRound = "";
            attempt = new StringBuilder();
        }
        attempt.append(piece == null ? "" : piece);
        String now = attempt.toString();
        if (now.length() <= sentInRound.length() || !now.startsWith(sentInRound)) {
            return "";
        }
        String fresh = now.substring(sentInRound.length());
        sentInRound = now;
        sent.append(fresh);
        return fresh;
    }

    /** The round's model call starts again: its next deltas begin its text anew. */
    void retry(int inRound) {
        if (inRound == round) {
            attempt = new StringBuilder();
        }
    }

    /**
     * The end of the committed answer the client has not been sent, when what it was sent begins it
     * (otherwise nothing: the final chunk's {@code askflow.text} has the answer to reconcile with).
     */
    String rest(String answer) {
        String s = sent.toString();
        String rest = answer != null && answer.startsWith(s) ? answer.substring(s.length()) : "";
        sent.append(rest);
        return rest;
    }
}
