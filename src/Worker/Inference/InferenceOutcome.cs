namespace Predictions.Worker.Inference;

/// <summary>A model's answer and when it waited for and held a pool thread.</summary>
public sealed record InferenceOutcome(double Prediction, DateTimeOffset QueuedAt, DateTimeOffset StartedAt, DateTimeOffset CompletedAt);
