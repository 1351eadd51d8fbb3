using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Tests.Models.Onnx;

/// <summary>The worker's model registration (<c>AddModel</c>) in a host: a bad model stops it while starting, naming the setting.</summary>
public sealed class ModelStartupTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("predictions-model-");

    public static TheoryData<string, string, string> BadModels => new()
    {
        { "Path", "no-such-model.onnx", "Model:Path" },
        { "Path", "garbage.onnx", "Model:Path" },
        { "InputName", "nope", "Model:InputName" },
        { "OutputName", "nope", "Model:OutputName" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public async Task A_bad_model_stops_the_host_while_starting_naming_the_setting(string setting, string value, string message)
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "garbage.onnx"), "this is not a model");
        using var host = Build(new() { [$"Model:{setting}"] = value });

        var error = await Assert.ThrowsAsync<InvalidModelException>(() => host.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_item_scorer_with_the_default_features_stops_the_host_naming_Model_Features()
    {
        using var host = Build(new() { ["Model:Path"] = "item-scorer.onnx" });

        var error = await Assert.ThrowsAsync<InvalidModelException>(() => host.StartAsync());

        Assert.StartsWith(
            "Model:Features lists 1 ([featureValue]) but input 'features' takes 4 values per row [?, 4]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_features_than_the_input_takes_stop_the_host_naming_Model_Features()
    {
        using var host = Build(new() { ["Model:Features:0"] = "featureValue", ["Model:Features:1"] = "price" });

        var error = await Assert.ThrowsAsync<InvalidModelException>(() => host.StartAsync());

        Assert.StartsWith(
            "Model:Features lists 2 ([featureValue, price]) but input 'features' takes 1 values per row [?, 1]",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Onnx_without_a_path_stops_the_host_naming_Model_Path()
    {
        using var host = Build(new() { ["Model:Path"] = null });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model:Path is required when Model:Backend is Onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_model_is_loaded_relative_to_the_content_root_while_starting()
    {
        using var host = Build(new() { ["Model:Features:0"] = "featureValue" });

        await host.StartAsync();

        var model = Assert.IsType<OnnxModel>(host.Services.GetRequiredService<IPredictionModel>());
        Assert.Equal(Path.Combine(_folder.FullName, "doubling.onnx"), model.Path);
        await host.StopAsync();
    }

    [Fact]
    public void The_simulated_model_stays_the_default()
    {
        using var host = Build(new() { ["Model:Backend"] = null, ["Model:Path"] = null });

        Assert.IsType<SimulatedModel>(host.Services.GetRequiredService<IPredictionModel>());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private IHost Build(Dictionary<string, string?> settings)
    {
        File.Copy(
            Path.Combine(ShippedModels.Folder, "doubling", "2", "model.onnx"), Path.Combine(_folder.FullName, "doubling.onnx"), overwrite: true);
        File.Copy(
            Path.Combine(ShippedModels.Folder, "item-scorer", "1", "model.onnx"),
            Path.Combine(_folder.FullName, "item-scorer.onnx"),
            overwrite: true);
        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { ContentRootPath = _folder.FullName, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Backend"] = "Onnx",
            ["Model:Path"] = "doubling.onnx",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<ModelOptions>().Configure(options => options.SimulatedCost = TimeSpan.Zero);
        builder.AddLanes();
        return builder.Build();
    }
}
