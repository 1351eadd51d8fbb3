using Microsoft.Extensions.Options;
using Predictions.Contracts;

namespace Predictions.Gateway.Api;

/// <summary>What <c>GET /predictions/{id}</c> uses, bound from the request's services with <c>[AsParameters]</c>.</summary>
public sealed record PollServices(PredictionLookup Lookup, IOptions<GatewayOptions> Options, ILogger<PredictionRequest> Logger);
