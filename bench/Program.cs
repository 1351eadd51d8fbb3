using System.Globalization;
using System.Runtime.InteropServices;
using Predictions.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

// Ctrl-C or a TERM signal stops the run and still tears down everything the bench started.
using var cancel = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

var plan = WorkloadPlan.For(options);
using var catalog = plan.Catalog; // disposed after the system that reads it
using var rolloutCatalog = plan.RolloutCatalog;
Console.Error.WriteLine($"Starting the system for the {plan.Workload} workload...");
await using var system = await BenchSystem.StartAsync(options, plan);
Console.Error.WriteLine(
    $"Broker: {system.Description}; gateways {string.Join(", ", system.Gateways)}; worker probes {string.Join(", ", system.WorkerProbes)}");

var report = plan.Workload switch
{
    Workload.Isolation => await new IsolationRun(options, plan, system).ExecuteAsync(cancel.Token),
    Workload.Rollout => await new RolloutRun(options, plan, system).ExecuteAsync(cancel.Token),
    _ => await new BenchRun(options, plan, system).ExecuteAsync(cancel.Token),
};

Console.WriteLine(report.ToTable());
if (options.JsonFile is not null)
{
    await File.WriteAllTextAsync(options.JsonFile, report.ToJson());
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Report written to {options.JsonFile}"));
}

return report.Failed == 0 ? 0 : 1;
