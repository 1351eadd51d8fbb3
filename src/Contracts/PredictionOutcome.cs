namespace Predictions.Contracts;

/// <summary>
/// What every outcome of a prediction carries: <see cref="PredictionCompleted"/>, <see cref="PredictionFailed"/>
/// or <see cref="PredictionExpired"/>. Never published on its own: it has no exchange, and envelopes do not name it;
/// subscribe to the outcomes themselves.
/// </summary>
public abstract record PredictionOutcome
{
    public required Guid PredictionId { get; init; }

    public required long ItemId { get; init; }

    public required double FeatureValue { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>Which worker process reached the outcome (host name and process id).</summary>
    public required string Worker { get; init; }

    /// <summary>
    /// The model that computed it, or for an outcome without a prediction the model it was for; absent from outcomes of
    /// workers older than the field, and when the model it named is not in the catalog.
    /// </summary>
    public ModelIdentity? Model { get; init; }

    /// <summary>
    /// Why that model version was chosen: <c>explicit</c> (the request named it), <c>alias</c>, <c>canary</c>, <c>shadow</c>
    /// (a copy computed for comparison, never answered), <c>default</c> (the request named no model) or <c>latest</c>;
    /// absent from outcomes of workers older than the field.
    /// </summary>
    public string? Route { get; init; }

    /// <summary>On a shadow outcome: the prediction whose request it copies.</summary>
    public Guid? ShadowOf { get; init; }

    /// <summary>When each stage ran in the worker; the stages that never ran are null.</summary>
    public required PredictionTimings Timings { get; init; }
}
