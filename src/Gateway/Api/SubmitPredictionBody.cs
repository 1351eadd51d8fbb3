namespace Predictions.Gateway.Api;

/// <summary>The body of <c>POST /predictions</c>. Both fields are required; nullable only to tell "missing" apart.</summary>
public sealed record SubmitPredictionBody(long? ItemId, double? FeatureValue);
