/// The nightly flow: the one place that lists the stages, in order. Stages not built yet are
/// absent rather than stubbed, so `loyalty run` runs exactly what exists.
public enum NightlyPipeline {
    /// The contract's stage names, in order, including those not available yet.
    public static let contractStageNames = ["ingest", "enrich", "segment", "pairs", "offers", "publish"]

    public static func stages() -> [Stage] {
        [IngestStage(), EnrichStage(), SegmentStage(), PairsStage(), OffersStage(), PublishStage()]
    }
}
