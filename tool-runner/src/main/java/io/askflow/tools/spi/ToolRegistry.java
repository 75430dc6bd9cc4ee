package io.askflow.tools.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tools this tool-runner can run, by the name the model calls them. */
public final class ToolRegistry {
    private final Map<String, Tool> tools = new LinkedHashMap<>();

    public ToolRegistry(List<Tool> tools) {
        for (Tool t : tools) {
            if (this.tools.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("Two tools are named " + t.name());
            }
        }
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** This registry plus more tools; names must still be unique. */
    public ToolRegistry with(List<Tool> more) {
        List<Tool> all = new java.util.ArrayList<>(tools.values());
        all.addAll(more);
        return new ToolRegistry(all);
    }

    public List<String> names() {
        return List.copyOf(tools.keySet());
    }
}
