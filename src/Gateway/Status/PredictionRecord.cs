using Predictions.Contracts;

namespace Predictions.Gateway.Status;

/// <summary>What the gateway knows of one prediction; also what <c>GET /predictions/{id}</c> returns.</summary>
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
    ModelIdentity? Model);
