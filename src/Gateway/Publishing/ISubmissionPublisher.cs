using Predictions.Contracts;
using Predictions.Gateway.Routing;

namespace Predictions.Gateway.Publishing;

/// <summary>Publishes the gateway's HTTP submissions to the work queue, each confirmed by the broker.</summary>
public interface ISubmissionPublisher
{
    /// <summary>
    /// Returns once the broker confirmed <paramref name="request"/> stored, with <paramref name="owner"/> (the API key's
    /// name, null for none) in <c>Topology.OwnerHeader</c>: in <paramref name="lane"/>, or the default lane when null.
    /// Throws <see cref="PublishRefusedException"/> when the broker refused it, <see cref="LaneMissingException"/> when
    /// no queue is bound for the lane; after any other exception, whether the broker has it is unknown. A shadow copy
    /// names the prediction it copies in <paramref name="shadowOf"/>.
    /// </summary>
    Task PublishAsync(
        PredictionRequest request, string? owner, ModelRouting.Lane? lane, CancellationToken cancellationToken, Guid? shadowOf = null);

    /// <summary>
    /// The broker refused a request although the work queue has room: publish no more on the channel that was refused.
    /// </summary>
    void Distrust(PublishRefusedException refusal);
}
