using Predictions.Contracts;

namespace Predictions.Gateway.Status;

/// <summary>What the gateway knows of one prediction; also what <c>GET /predictions/{id}</c> returns.</summary>
/// <param name="Id">The prediction's id.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="ItemId">The item it is for.</param>
/// <param name="FeatureValue">The feature value it was asked with.</param>
/// <param name="Metadata">The item's metadata the model used; null until completed.</param>
/// <param name="Prediction">The result; null until completed.</param>
/// <param name="Error">Why it failed or expired; null otherwise.</param>
/// <param name="SubmittedAt">When it was submitted.</param>
/// <param name="CompletedAt">When it finished; null while queued.</param>
/// <param name="Model">The model version that computed it; null while queued, and when the worker did not say.</param>
/// <param name="Route">
/// Why that version computed it: <c>explicit</c>, <c>alias</c>, <c>canary</c>, <c>default</c> or <c>latest</c>;
/// null while queued, and when the worker did not say.
/// </param>
public sealed record PredictionRecord(
    Guid Id,
    PredictionStatus Status,
    long ItemId,
    double FeatureValue,
    IReadOnlyDictionary<string, double>? Metadata,
    double? Prediction,
    string? Error,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? CompletedAt,
    ModelIdentity? Model,
    string? Route);
