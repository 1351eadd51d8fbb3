namespace Predictions.Gateway.Publishing;

/// <summary>
/// The broker refused a request (a negative publisher confirm): it was not stored. A full work queue refuses every
/// request; so does a quorum queue between leaders, and, on RabbitMQ 3.10, every later request on a channel whose
/// first publish fell in such an election: <paramref name="channel"/> tells which channel heard the refusal.
/// </summary>
public sealed class PublishRefusedException(object? channel, Exception? inner = null)
    : Exception("The broker refused the request: it was not stored.", inner)
{
    /// <summary>The channel the refusal came on, for <see cref="ISubmissionPublisher.Distrust"/>.</summary>
    public object? Channel { get; } = channel;
}
