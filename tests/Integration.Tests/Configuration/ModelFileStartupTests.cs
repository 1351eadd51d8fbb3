using Predictions.Harness;

namespace Predictions.Integration.Tests.Configuration;

/// <summary>A worker told to serve a model file it cannot use does not start, and says which setting is at fault.</summary>
public sealed class ModelFileStartupTests
{
    public static TheoryData<string, string, string> BadModels => new()
    {
        { "Model__Path", "models/no-such-model.onnx", "Model:Path: there is no model file" },
        { "Model__Path", "garbage.onnx", "Model:Path: ONNX Runtime cannot load" },
        { "Model__Path", "", "Model:Path is required when Model:Backend is Onnx" },
        { "Model__InputName", "nope", "Model:InputName: the model has no input 'nope'" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public async Task A_worker_given_a_bad_model_exits_naming_the_setting(string variable, string value, string message)
    {
        // A folder of its own, holding the garbage file; relative paths still resolve against the worker's folder.
        var folder = Directory.CreateTempSubdirectory("predictions-model-");
        var garbage = Path.Combine(folder.FullName, "garbage.onnx");
        await File.WriteAllTextAsync(garbage, "not an ONNX model");
        var process = ServiceProcess.Start("Worker", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["ConnectionStrings__Audit"] = "Data Source=:memory:",
            ["Probes__Url"] = $"http://127.0.0.1:{Ports.Free()}/",
            ["Model__Backend"] = "Onnx",
            ["Model__Path"] = "models/doubling/2/model.onnx",
            [variable] = value == "garbage.onnx" ? garbage : value,
        }, folder.FullName);
        await using var _ = process;

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        folder.Delete(recursive: true);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, process.Output, StringComparison.Ordinal);
    }
}
