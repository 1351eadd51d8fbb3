using Microsoft.Extensions.Options;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Metadata;

/// <summary>
/// Stands in for an external item service: waits <c>Metadata:SimulatedLatency</c> without holding a
/// thread, then returns values derived from the item id, so the same item always has the same metadata. For fault
/// tests it can fail one item with an exception nobody foresaw (<c>Metadata:SimulatedFaultItemId</c>).
/// </summary>
public sealed class SimulatedMetadataSource(IOptions<MetadataOptions> options, TimeProvider clock) : IMetadataSource
{
    private readonly TimeSpan _latency = options.Value.SimulatedLatency;
    private readonly long? _faultItemId = options.Value.SimulatedFaultItemId;

    public async Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, CancellationToken cancellationToken)
    {
        // Nothing is cached: every answer is "fetched".
        WorkerTracing.MetadataCache(hit: false);
        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, clock, cancellationToken);
        }

        if (itemId == _faultItemId)
        {
            throw new InvalidOperationException($"Simulated fault: item {itemId} is Metadata:SimulatedFaultItemId.");
        }

        var seed = (ulong)itemId;
        return new Dictionary<string, double>
        {
            ["category"] = seed % 12,
            ["price"] = 5 + (seed * 7919 % 9500) / 100.0,
            ["popularity"] = seed * 104729 % 1000 / 1000.0,
        };
    }
}
