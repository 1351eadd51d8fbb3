namespace Predictions.Gateway.Api;

/// <summary>
/// The body of <c>POST /predictions</c>. <c>itemId</c> and <c>featureValue</c> are required (nullable only to
/// tell "missing" apart); <c>deadline</c>, the latest moment inference may start, is optional.
/// </summary>
public sealed record SubmitPredictionBody(long? ItemId, double? FeatureValue, DateTimeOffset? Deadline);
