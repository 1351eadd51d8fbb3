namespace Predictions.Worker.Models;

/// <summary>What computes the predictions (<c>Model:Backend</c>).</summary>
public enum ModelBackend
{
    /// <summary>The lesson's <c>2 × featureValue</c> with a configurable cost (<see cref="SimulatedModel"/>).</summary>
    Simulated,

    /// <summary>An ONNX model file run by ONNX Runtime on the CPU (<see cref="Onnx.OnnxModel"/>).</summary>
    Onnx,
}
