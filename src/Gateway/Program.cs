using Predictions.Gateway.Admin;
using Predictions.Gateway.Api;
using Predictions.Gateway.Auth;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Publishing;
using Predictions.Gateway.Rollouts;
using Predictions.Gateway.Routing;
using Predictions.Gateway.Status;
using Predictions.Gateway.Telemetry;
using Predictions.Messaging;
using Predictions.ServiceDefaults;

// Settings sit beside the binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddGatewayTelemetry();
builder.AddPredictionApi();
builder.AddApiKeys();
builder.AddStatusStore();
builder.AddIdempotency();
builder.AddBackpressure();
builder.AddModelRouting();
builder.AddModelAdmin();
builder.AddSubmissionPublisher();
builder.AddMessaging(typeof(Program).Assembly, RolloutEndpoints.Configure);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseApiKeys();

app.MapDefaultEndpoints();
app.MapApiReference();
app.MapPredictions();
app.MapModelAdmin();

await app.RunAsync();
