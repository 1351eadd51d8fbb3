using Microsoft.Extensions.Options;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;
using Predictions.Worker.Models;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Lanes;

public static class LaneExtensions
{
    /// <summary>
    /// The models the inference pool runs, each in its lane: the catalog's (<c>Models:*</c>) when <c>Models:Default</c> is
    /// set, else the one model <c>Model:*</c> describes (<c>Model:Backend</c>), in the default lane.
    /// </summary>
    public static IHostApplicationBuilder AddLanes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ModelOptions>()
            .BindConfiguration(ModelOptions.Section)
            .Configure<IConfiguration>((options, configuration) => LegacyModelSettings.Bind(configuration, options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ModelsOptions>()
            .BindConfiguration(ModelsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<LegacyModelSettingsWarning>();
        builder.Services.AddHostedService<FaultInjectionWarning>();

        // Loads every model before any request is taken: a bad file or manifest stops the worker at start-up.
        builder.Services.AddHostedService<ModelLoader>();

        if (builder.Configuration.GetSection(ModelsOptions.Section)[nameof(ModelsOptions.Default)] is not null)
        {
            builder.Services.AddSingleton(services => FromCatalog(
                services.GetRequiredService<IOptions<ModelsOptions>>().Value,
                services.GetRequiredService<IOptions<ModelOptions>>().Value,
                services.GetRequiredService<IHostEnvironment>().ContentRootPath));

            // The rollout the settings give, until a gateway announces the stored one.
            builder.Services.AddSingleton(services =>
            {
                var lanes = services.GetRequiredService<ServedLanes>();
                return new CurrentRollout(RolloutSeed.From(lanes.Catalog, services.GetRequiredService<IOptions<ModelsOptions>>().Value.Default));
            });
            return builder;
        }

        var backend = builder.Configuration.GetSection(ModelOptions.Section).GetValue<ModelBackend?>(nameof(ModelOptions.Backend));
        if (backend == ModelBackend.Onnx)
        {
            builder.Services.AddSingleton<IPredictionModel>(services => OnnxModel.Load(
                services.GetRequiredService<IOptions<ModelOptions>>().Value,
                services.GetRequiredService<IHostEnvironment>().ContentRootPath));
        }
        else
        {
            builder.Services.AddSingleton<IPredictionModel, SimulatedModel>();
        }

        builder.Services.AddSingleton(services =>
        {
            var model = services.GetRequiredService<IPredictionModel>();
            // Without a catalog, the lane's batches are Inference:MaxBatchSize's.
            var lane = new ServedLane(0, model, isDefault: true, maxBatchSize: null, share: 1);
            return new ServedLanes([lane], model.Identity, ModelCatalog.Empty);
        });
        return builder;
    }

    /// <summary>
    /// The lanes served from the start, with their models loaded: the versions the settings' rollout (<see cref="RolloutSeed"/>)
    /// loads for each model <c>Models:Serve</c> names alone (every model when unset), and each <c>name:version</c> it pins.
    /// </summary>
    private static ServedLanes FromCatalog(ModelsOptions options, ModelOptions settings, string contentRoot)
    {
        var catalog = ModelCatalog.Load(Path.GetFullPath(options.Catalog, contentRoot));
        var defaultEntry = catalog.Find(options.Default!, "Models:Default");
        var references = options.ServeList.Select(model => ModelReference.TryParse(model, out var reference) ? reference : null).ToList();
        var followed = references.Count == 0
            ? catalog.Names.ToHashSet()
            : references.Where(reference => reference is { Version: null }).Select(reference => reference!.Name).ToHashSet();
        var seed = RolloutSeed.From(catalog, options.Default);
        var pinned = options.ServeList.Where(model => ModelReference.TryParse(model, out var reference) && reference.Version is not null)
            .Select(model => catalog.Find(model, "Models:Serve"))
            .ToList();
        var served = seed.Models.Where(model => followed.Contains(model.Key))
            .SelectMany(model => model.Value.Loaded.Select(version => catalog.Find($"{model.Key}:{version}", "Models:Serve")))
            .Concat(pinned)
            .ToList();
        foreach (var name in followed.Where(name => !seed.Models.ContainsKey(name)))
        {
            catalog.Find(name, "Models:Serve");
        }

        var lanes = new List<ServedLane>();
        foreach (var entry in served.DistinctBy(entry => entry.Identity))
        {
            var model = CatalogModels.Load(entry, settings);
            if (entry.Manifest.MaxBatchSize > 1 && !model.SupportsBatching)
            {
                throw new InvalidModelException(
                    $"Model {entry.Identity.Name}:{entry.Identity.Version}: its manifest gives maxBatchSize {entry.Manifest.MaxBatchSize}, "
                    + "but the model takes one input per call: set maxBatchSize to 1 in a new version.");
            }

            lanes.Add(new ServedLane(
                lanes.Count, model, entry.Identity == defaultEntry.Identity, entry.Manifest.MaxBatchSize, options.ShareOf(entry.Identity.Name),
                pinned: pinned.Contains(entry)));
        }

        return new ServedLanes(lanes, defaultEntry.Identity, catalog);
    }
}
