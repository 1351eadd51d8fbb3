using System.Collections.Concurrent;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;

namespace Predictions.Worker.Rollouts;

/// <summary>
/// Keeps this worker's lanes as the rollout says, for the models <c>Models:Serve</c> lets it follow: loads each version
/// loaded there that it lacks, drains each it serves that was unloaded, and keeps consuming the lanes of unloaded versions
/// so what still arrives there is re-routed or failed. A load runs once per version however often it is asked for
/// (single-flight), on the thread pool rather than an inference thread, and the lane takes requests only once the
/// model's file matched its checksum and one warm-up inference ran.
/// </summary>
public sealed class RolloutFollower(
    CurrentRollout rollout,
    ServedLanes lanes,
    InferencePool pool,
    IServiceProvider services,
    IOptions<ModelsOptions> models,
    IOptions<ModelOptions> modelSettings,
    IHostEnvironment environment,
    WorkerIdentity worker,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<RolloutFollower> logger) : IHostedService
{
    private readonly ConcurrentDictionary<ModelIdentity, Task> _work = new();
    private readonly ConcurrentDictionary<ModelIdentity, string> _failed = new();
    private readonly ConcurrentDictionary<ModelIdentity, bool> _loading = new();

    /// <summary>
    /// Reports this worker's lanes once the bus runs: a gateway that hears of a worker for the first time announces the
    /// state at once, so a worker started after a rollout changed serves as it says within moments, not an interval.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = PublishReportAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Takes <paramref name="state"/> if newer, and starts whatever loads and drains it asks of this worker. A version whose
    /// load failed is tried again only with a newer state: its files are immutable, so the same state fails the same way.
    /// </summary>
    public void Follow(RolloutState state)
    {
        if (rollout.Advance(state))
        {
            Reconcile(rollout.State);
        }
    }

    /// <summary>This worker's lanes as the gateways count them: a version being loaded, or whose load failed, says so.</summary>
    public LaneReadinessReported Report()
    {
        var report = lanes.All.ToDictionary(
            lane => lane.Identity, lane => Readiness(lane.Identity, lane.IsDraining ? LaneStates.Draining : LaneStates.Ready, null, lane.Loads));
        foreach (var model in _loading.Keys)
        {
            report[model] = Readiness(model, LaneStates.Loading, null, lanes.ForModel(model)?.Loads ?? 0);
        }

        foreach (var (model, reason) in _failed)
        {
            report[model] = Readiness(model, LaneStates.Failed, reason, lanes.ForModel(model)?.Loads ?? 0);
        }

        return new LaneReadinessReported { Worker = worker.Name, Lanes = [.. report.Values], At = clock.GetUtcNow() };
    }

    /// <summary>Whether this worker follows the rollout of <paramref name="name"/>: <c>Models:Serve</c> names it alone, or is unset.</summary>
    private bool Follows(string name)
    {
        var serve = models.Value.ServeList;
        return serve.Count == 0 || serve.Any(entry => ModelReference.TryParse(entry, out var reference)
            && reference.Name == name && reference.Version is null);
    }

    private void Reconcile(RolloutState state)
    {
        foreach (var (name, model) in state.Models.Where(model => Follows(model.Key)))
        {
            foreach (var version in model.Loaded)
            {
                var identity = ModelReference.Identify(name, version);
                if (lanes.ForModel(identity) is not { IsDraining: false })
                {
                    Start(identity, () => LoadAsync(identity));
                }
            }

            foreach (var lane in lanes.All.Where(lane => lane.Identity.Name == name && !lane.Pinned && !lane.IsDraining))
            {
                if (!model.IsLoaded(int.Parse(lane.Identity.Version, CultureInfo.InvariantCulture)))
                {
                    Start(lane.Identity, () => DrainAsync(lane));
                }
            }

            foreach (var version in model.Retired.Where(model.IsRetired))
            {
                var identity = ModelReference.Identify(name, version);
                if (lanes.ForModel(identity) is null)
                {
                    Start(identity, () => ConsumeDrainedAsync(identity));
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> for <paramref name="model"/> unless work for it is already under way.</summary>
    private void Start(ModelIdentity model, Func<Task> work)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            if (_work.TryGetValue(model, out var running) && !running.IsCompleted)
            {
                return;
            }

            if (running is null ? _work.TryAdd(model, started.Task) : _work.TryUpdate(model, started.Task, running))
            {
                break;
            }
        }

        // Off the caller's thread and off the inference threads: loading a model takes seconds and a core.
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                logger.LogError(ex, "Rollout work for model {Model} failed", $"{model.Name}:{model.Version}");
            }
            finally
            {
                started.SetResult();
                await PublishReportAsync();
            }
        });
    }

    private async Task LoadAsync(ModelIdentity identity)
    {
        _loading[identity] = true;
        try
        {
            await LoadModelAsync(identity);
        }
        finally
        {
            _loading.TryRemove(identity, out _);
        }
    }

    private async Task LoadModelAsync(ModelIdentity identity)
    {
        var existing = lanes.ForModel(identity);
        if (existing is { HasModel: true })
        {
            // Unloaded, then loaded again before its last requests left: it still has its model.
            pool.Serve(existing, existing.Model);
            _failed.TryRemove(identity, out _);
            logger.LogInformation("Model {Model} serves again from queue {Queue}", existing.ToString(), existing.Queue);
            return;
        }

        await PublishReportAsync();
        var settings = models.Value;
        IPredictionModel model;
        ModelCatalog.Entry entry;
        try
        {
            // Read again: the version may have been added to the catalog since this worker started.
            var catalog = ModelCatalog.Load(Path.GetFullPath(settings.Catalog, environment.ContentRootPath));
            lanes.Reloaded(catalog);
            entry = catalog.Find($"{identity.Name}:{identity.Version}", "The rollout");
            model = CatalogModels.Load(entry, modelSettings.Value);
            if (entry.Manifest.MaxBatchSize > 1 && !model.SupportsBatching)
            {
                throw new InvalidDataException(
                    $"its manifest gives maxBatchSize {entry.Manifest.MaxBatchSize}, but the model takes one input per call");
            }

            WarmUp(model, entry.Manifest);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failed[identity] = ex.Message;
            logger.LogError(
                "Model {Model} was not loaded: {Reason}. The versions served are unchanged", $"{identity.Name}:{identity.Version}", ex.Message);
            return;
        }

        _failed.TryRemove(identity, out _);
        var lane = existing;
        if (lane is not null)
        {
            pool.Serve(lane, model);
        }
        else
        {
            lane = lanes.Add(
                index => new ServedLane(index, model, identity == lanes.DefaultModel, entry.Manifest.MaxBatchSize, settings.ShareOf(identity.Name)),
                pool.AddLane);
            await services.GetRequiredService<ILaneConnector>().ConnectAsync(lane, lifetime.ApplicationStopping);
        }

        logger.LogInformation(
            "Model {Model} loaded, checked and warmed up: serving from queue {Queue}, batches of up to {MaxBatchSize}",
            lane.ToString(), lane.Queue, entry.Manifest.MaxBatchSize);
    }

    private async Task DrainAsync(ServedLane lane)
    {
        logger.LogInformation("Model {Model} unloaded: draining queue {Queue}", lane.ToString(), lane.Queue);
        await PublishReportAsync();
        var model = await pool.DrainAsync(lane, lifetime.ApplicationStopping);
        if (model is IDisposable disposable)
        {
            disposable.Dispose();
        }

        if (model is not null)
        {
            logger.LogInformation("Model {Model} released: no request of it is left in this worker", lane.ToString());
        }
    }

    /// <summary>An unloaded version's lane this worker never served: consumed, so what still arrives there is re-routed or failed.</summary>
    private async Task ConsumeDrainedAsync(ModelIdentity identity)
    {
        var lane = lanes.Add(
            index => new ServedLane(index, identity, identity == lanes.DefaultModel, maxBatchSize: null, share: 1),
            pool.AddLane);
        await services.GetRequiredService<ILaneConnector>().ConnectAsync(lane, lifetime.ApplicationStopping);
        logger.LogInformation("Consuming queue {Queue} of the unloaded model {Model}, to re-route what arrives", lane.Queue, lane.ToString());
    }

    /// <summary>One inference on zeros before the lane takes requests: the first call of a model pays for its set-up.</summary>
    private static void WarmUp(IPredictionModel model, ModelManifest manifest)
    {
        var metadata = (manifest.Features ?? []).Where(feature => feature != "featureValue").ToDictionary(feature => feature, _ => 0.0);
        try
        {
            model.Predict([new ModelInput(0, metadata)]);
        }
        catch (Exception ex)
        {
            (model as IDisposable)?.Dispose();
            throw new InvalidDataException($"its warm-up inference failed: {ex.Message}", ex);
        }
    }

    private async Task PublishReportAsync()
    {
        try
        {
            await services.GetRequiredService<IBus>().Publish(Report(), lifetime.ApplicationStopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next announcement asks again.
            logger.LogDebug(ex, "Could not report this worker's lanes");
        }
    }

    private static LaneReadiness Readiness(ModelIdentity model, string state, string? reason, int loads) => new()
    {
        Name = model.Name,
        Version = int.Parse(model.Version, CultureInfo.InvariantCulture),
        State = state,
        Reason = reason,
        Loads = loads,
    };
}
