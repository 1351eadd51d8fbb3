using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Gateway.Telemetry;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// The gateway's side of the rollout: takes the stored state at start (the settings' while none is stored), applies the
/// admin API's changes through the store, announces the state to every host on each change and every
/// <c>Rollouts:AnnounceInterval</c>, and sets a canary past its guard's limits back to 0%.
/// </summary>
public sealed class RolloutCoordinator(
    CurrentRollout rollout,
    RolloutStore store,
    RoutingCatalog catalog,
    WorkerReadiness readiness,
    VersionStatistics statistics,
    IBus bus,
    IOptions<RolloutOptions> options,
    IOptions<GuardOptions> guard,
    GatewayMetrics metrics,
    TimeProvider clock,
    ILogger<RolloutCoordinator> logger) : BackgroundService
{
    public static string Gateway { get; } = HostQueues.Host;

    /// <summary>
    /// Applies <paramref name="change"/> to the stored state (the settings' while none is stored), takes the result and
    /// announces it at once. <paramref name="change"/> must be pure: it runs again when another gateway changed the state first.
    /// </summary>
    public async Task<RolloutState> ChangeAsync(Func<RolloutState, RolloutState> change, CancellationToken cancellationToken)
    {
        var changed = await store.ChangeAsync(catalog.Seed, change, cancellationToken);
        Take(changed);
        await AnnounceAsync(cancellationToken);
        return changed;
    }

    /// <summary>Takes a state heard from another gateway, or read from the store, when newer than the one held.</summary>
    public void Take(RolloutState state)
    {
        if (rollout.Advance(state))
        {
            // The state may name versions added to the catalog since it was read.
            catalog.Refresh(state);
            logger.LogInformation("Rollout state at revision {Revision}", state.Revision);
        }
    }

    /// <summary>A worker reported its lanes; one not heard of before gets the state at once rather than at the next interval.</summary>
    public async Task HeardAsync(LaneReadinessReported report, CancellationToken cancellationToken)
    {
        if (readiness.Record(report))
        {
            await AnnounceAsync(cancellationToken);
        }
    }

    /// <summary>Routes by the stored state from the first request on: the store is read before the gateway takes any.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await store.ReadAsync(cancellationToken) is { } stored)
        {
            Take(stored);
        }

        await base.StartAsync(cancellationToken);
    }

    public Task AnnounceAsync(CancellationToken cancellationToken) =>
        bus.Publish(new RolloutAnnounced { State = rollout.State, Gateway = Gateway }, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.AnnounceInterval;
        using var timer = new PeriodicTimer(interval, clock);

        // The state was read as the gateway started: the first announcement needs no second read.
        var first = true;
        do
        {
            try
            {
                // Another gateway's change reaches this one by its announcement; the store settles any that was missed.
                if (!first && await store.ReadAsync(stoppingToken) is { } stored)
                {
                    Take(stored);
                }

                first = false;
                await GuardCanariesAsync(stoppingToken);
                await AnnounceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The rollout state could not be read or announced; trying again in {Interval}", interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Each canary whose figures cross its limits goes back to 0%, saying why.</summary>
    private async Task GuardCanariesAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, model) in rollout.State.Models)
        {
            if (model.Canary is not { } canary || CanaryGuard.Verdict(canary, statistics.Of(name, canary.Version), guard.Value) is not { } reason)
            {
                continue;
            }

            await ChangeAsync(state => state.Of(name) is { Canary: { } current } stored && current.Version == canary.Version && current.Percent > 0
                ? state.With(name, stored with
                {
                    Canary = current with { Percent = 0, StoppedReason = reason, StoppedAt = clock.GetUtcNow() },
                })
                : state, cancellationToken);
            metrics.CanaryStopped(name, canary.Version);
            logger.LogWarning(
                "Canary {Model}:{Version} at {Percent}% was set back to 0%: {Reason}", name, canary.Version, canary.Percent, reason);
        }
    }
}
