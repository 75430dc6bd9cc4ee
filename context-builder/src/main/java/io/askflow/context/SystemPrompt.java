package io.askflow.context;

import java.util.ArrayList;
import java.util.List;

/**
 * The one system message that opens every model call, its sections in a fixed order: the tenant's
 * instructions, its safety rules, the date line, what askflow remembers about the user, and the
 * summary of turns no longer shown in full. One message rather than several, because some
 * OpenAI-compatible servers keep only the first system message.
 */
record SystemPrompt(String instructions, String safetyRules, String dateLine, List<String> memories, String summary) {
    static final String MEMORIES_HEADING = "What you remember about this user (saved with the remember tool; "
            + "use forget with the id in brackets to drop one):";
    static final String SUMMARY_HEADING = "Summary of the earlier conversation (older turns are no longer shown in full):";

    SystemPrompt {
        memories = memories == null ? List.of() : List.copyOf(memories);
    }

    SystemPrompt withSummary(String newSummary) {
        return new SystemPrompt(instructions, safetyRules, dateLine, memories, newSummary);
    }

    String render() {
        List<String> sections = new ArrayList<>();
        sections.add(instructions);
        if (safetyRules != null && !safetyRules.isBlank()) {
            sections.add("Safety rules:\n" + safetyRules);
        }
        sections.add(dateLine);
        if (!memories.isEmpty()) {
            sections.add(MEMORIES_HEADING + "\n" + String.join("\n", memories));
        }
        if (summary != null && !summary.isBlank()) {
            sections.add(SUMMARY_HEADING + "\n" + summary);
        }
        return String.join("\n\n", sections);
    }
}
