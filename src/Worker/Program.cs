using Microsoft.AspNetCore.Builder;
using Predictions.Messaging;
using Predictions.ServiceDefaults;
using Predictions.Worker;
using Predictions.Worker.Audit;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Metadata;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Probes;
using Predictions.Worker.Rollouts;
using Predictions.Worker.Telemetry;

// Settings sit beside the binary, wherever it is started from. A web application only to serve the probes
// and metrics; the work itself runs in hosted services (the bus, the inference pool).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddWorkerTelemetry();
builder.AddPipeline();
builder.AddMetadata();
builder.AddLanes();
builder.AddRollouts();
builder.Services.AddSingleton<ILaneConnector, LaneEndpoints.Connector>();
builder.AddInference();
builder.AddCrashRecovery();
builder.AddAudit();
builder.AddProbes();
builder.AddMessaging(typeof(Program).Assembly, LaneEndpoints.Configure);

var app = builder.Build();

app.MapDefaultEndpoints();
app.ListenAtProbesUrl();

await app.RunAsync();
