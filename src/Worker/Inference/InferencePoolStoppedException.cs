namespace Predictions.Worker.Inference;

/// <summary>
/// The worker is shutting down and its pool takes no more work. A cancellation, not a failure: the request
/// was not computed and goes back to its queue for another worker, rather than ending <c>failed</c>.
/// </summary>
public sealed class InferencePoolStoppedException(CancellationToken cancellationToken)
    : OperationCanceledException("The inference pool is stopping and takes no more work; the request goes back to its queue.", cancellationToken);
