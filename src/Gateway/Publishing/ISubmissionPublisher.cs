using Predictions.Contracts;

namespace Predictions.Gateway.Publishing;

/// <summary>Publishes the gateway's HTTP submissions to the work queue, each confirmed by the broker.</summary>
public interface ISubmissionPublisher
{
    /// <summary>
    /// Returns once the broker confirmed <paramref name="request"/> stored, with <paramref name="owner"/> (the API key's
    /// name, null for none) in <c>Topology.OwnerHeader</c>. Throws <see cref="PublishRefusedException"/>
    /// when the broker refused it; after any other exception, whether the broker has it is unknown.
    /// </summary>
    Task PublishAsync(PredictionRequest request, string? owner, CancellationToken cancellationToken);

    /// <summary>
    /// The broker refused a request although the work queue has room: publish no more on the channel that was refused.
    /// </summary>
    void Distrust(PublishRefusedException refusal);
}
