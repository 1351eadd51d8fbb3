using Predictions.ServiceDefaults.Messaging;
using Predictions.Worker.Audit;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Probes;

// Settings sit beside the binary, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddPipeline();
builder.AddMetadata();
builder.AddModel();
builder.AddInference();
builder.AddCrashRecovery();
builder.AddAudit();
builder.AddProbes();
builder.AddMessaging(typeof(Program).Assembly);

await builder.Build().RunAsync();
