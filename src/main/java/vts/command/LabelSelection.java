package vts.command;

import java.util.List;

/**
 * Which labels a multi-series reply carries: none, all (WITHLABELS) or the
 * listed ones (SELECTED_LABELS, never empty when given).
 */
public record LabelSelection(boolean withLabels, List<String> selected) {
    public static final LabelSelection NONE = new LabelSelection(false, null);
}
