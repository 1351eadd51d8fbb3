namespace Predictions.Worker.Models.Onnx;

/// <summary>The model file or the <c>Model:*</c> settings that describe it are unusable: the worker does not start.</summary>
public sealed class InvalidModelException(string message, Exception? innerException = null) : Exception(message, innerException);
