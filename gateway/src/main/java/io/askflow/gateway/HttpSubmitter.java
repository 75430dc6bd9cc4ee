package io.askflow.gateway;

import java.util.List;

/**
 * An HTTP submission admitted and its records acknowledged by the broker before the caller hears of
 * it, the same for every endpoint that submits prompts ({@code /v1/prompts}, {@code /v1/chat/completions}).
 */
final class HttpSubmitter {
    private final Admission admission;
    private final Publishing publishing;

    HttpSubmitter(Admission admission, Publishing publishing) {
        this.admission = admission;
        this.publishing = publishing;
    }

    /** @param fallbackId the request id when the body names none; also names the call as the claim's source */
    Admission.Result submit(HttpCall call, byte[] body, String fallbackId) throws Exception {
        Admission.Result result = admission.admitFor(call.tenantId(), body, fallbackId, "http:" + fallbackId);
        publishing.publish(call, result.records());
        if (result.verdict() instanceof Verdict.Accepted a && !result.duplicate()) {
            admission.published(List.of(a.turn()));
        }
        return result;
    }
}
