namespace Predictions.Worker.Models;

/// <summary>How the simulated model spends its cost.</summary>
public enum SimulatedCostKind
{
    /// <summary>Holds its thread without using a core (<c>Thread.Sleep</c>), like a model waiting on an accelerator.</summary>
    Sleep,

    /// <summary>Computes on a core, like a model running on the CPU.</summary>
    Cpu,
}
