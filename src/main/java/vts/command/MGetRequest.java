package vts.command;

import java.util.List;

/** TS.MGET [LATEST] [WITHLABELS | SELECTED_LABELS l...] FILTER matcher.... */
public record MGetRequest(boolean latest, LabelSelection labels, List<Matcher> filter) {}
