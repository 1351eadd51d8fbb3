using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Predictions.Gateway.Api;
using Predictions.Gateway.Status;
using Predictions.ServiceDefaults.Messaging;

// Settings sit beside the binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddPredictionApi();
builder.AddStatusStore();
builder.AddMessaging(typeof(Program).Assembly);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapPredictions();

await app.RunAsync();
