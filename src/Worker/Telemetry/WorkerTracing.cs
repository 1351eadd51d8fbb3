using System.Diagnostics;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Worker.Telemetry;

/// <summary>The worker's stages as spans, under the span of the prediction's consume.</summary>
public static class WorkerTracing
{
    public const string MetadataCacheTag = "metadata.cache";
    public const string BatchSizeTag = "inference.batch.size";
    public const string ModelNameTag = "model.name";
    public const string ModelVersionTag = "model.version";

    /// <summary>Whether the metadata span that is current was answered from the cache or fetched.</summary>
    public static void MetadataCache(bool hit) => Activity.Current?.SetTag(MetadataCacheTag, hit ? "hit" : "miss");

    /// <summary>Names the model on the span that is current: the consume span of a request, once its lane is known.</summary>
    public static void TagModel(ModelIdentity model) =>
        Activity.Current?.SetTag(ModelNameTag, model.Name).SetTag(ModelVersionTag, model.Version);

    /// <summary>
    /// One model call for several predictions, in the trace of the first that is sampled, linked to the consume span
    /// of every one of them, so each trace can find the call that computed it. Null when none is sampled.
    /// </summary>
    public static Activity? StartBatch(IReadOnlyList<ActivityContext> predictions, ModelIdentity model)
    {
        var parent = predictions.FirstOrDefault(context => context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        if (parent == default)
        {
            return null;
        }

        var links = predictions.Where(context => context != default).Select(context => new ActivityLink(context));
        return PredictionTracing.Source.StartActivity("inference.batch", ActivityKind.Internal, parent, links: links)?
            .SetTag(BatchSizeTag, predictions.Count)
            .SetTag(ModelNameTag, model.Name)
            .SetTag(ModelVersionTag, model.Version);
    }
}
