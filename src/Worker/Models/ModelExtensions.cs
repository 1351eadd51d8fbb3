using Microsoft.Extensions.Options;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Models;

public static class ModelExtensions
{
    /// <summary>The model the inference pool runs (<c>Model:Backend</c>) and its settings.</summary>
    public static IHostApplicationBuilder AddModel(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ModelOptions>()
            .BindConfiguration(ModelOptions.Section)
            .Configure<IConfiguration>((options, configuration) => LegacyModelSettings.Bind(configuration, options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<LegacyModelSettingsWarning>();
        builder.Services.AddHostedService<FaultInjectionWarning>();

        var backend = builder.Configuration.GetSection(ModelOptions.Section).GetValue<ModelBackend?>(nameof(ModelOptions.Backend));
        if (backend == ModelBackend.Onnx)
        {
            builder.Services.AddSingleton(services => OnnxModel.Load(
                services.GetRequiredService<IOptions<ModelOptions>>().Value,
                services.GetRequiredService<IHostEnvironment>().ContentRootPath));
            builder.Services.AddSingleton<IPredictionModel>(services => services.GetRequiredService<OnnxModel>());

            // Loads the model before any request is taken: a bad file stops the worker at start-up.
            builder.Services.AddHostedService<ModelLoader>();
        }
        else
        {
            builder.Services.AddSingleton<IPredictionModel, SimulatedModel>();
        }

        return builder;
    }
}
