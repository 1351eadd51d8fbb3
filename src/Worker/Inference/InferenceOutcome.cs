namespace Predictions.Worker.Inference;

/// <summary>
/// A model's answer and how it got it: queued for the pool, taken by a pool thread, held while the thread
/// gathered its batch, computed in one model call of <see cref="BatchSize"/> inputs.
/// </summary>
public sealed record InferenceOutcome(
    double Prediction,
    DateTimeOffset QueuedAt,
    DateTimeOffset TakenAt,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    int BatchSize);
