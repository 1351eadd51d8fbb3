using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Publishing;
using Predictions.Gateway.Routing;
using Predictions.Gateway.Telemetry;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Api;

/// <summary>
/// Publishes the shadow copy of an accepted request to the shadow version's lane, with an id of its own derived from the
/// original's (so a retried submission copies to the same id) and the original's id in a header: the copy's outcome is
/// audited and never stored for a caller. A copy that cannot be published is dropped and counted; the caller's request,
/// already confirmed, is never failed for it.
/// </summary>
public sealed class ShadowCopies(
    ISubmissionPublisher publisher, IOptions<PublishingOptions> publishing, GatewayMetrics metrics, TimeProvider clock, ILogger<ShadowCopies> logger)
{
    public async Task PublishAsync(PredictionRequest original, ModelRouting.Lane lane, string? owner)
    {
        var copy = original with { PredictionId = ShadowIds.Of(original.PredictionId), Model = $"{lane.Model.Name}:{lane.Model.Version}" };
        using var deadline = new CancellationTokenSource(publishing.Value.PublishTimeout, clock);
        try
        {
            await publisher.PublishAsync(copy, owner, lane, deadline.Token, shadowOf: original.PredictionId);
        }
        catch (Exception ex)
        {
            metrics.ShadowDropped(lane.Model.Name);
            logger.LogWarning(
                "The shadow copy of prediction {PredictionId} for {Model}:{Version} was dropped: {Reason}",
                original.PredictionId, lane.Model.Name, lane.Model.Version, ex.Message);
        }
    }
}
