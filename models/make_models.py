#!/usr/bin/python3
"""Builds the worker's two ONNX models and the item scorer's reference values.

Run with Debian's interpreter (apt install python3-onnx python3-numpy): /usr/bin/python3 models/make_models.py
The output is deterministic: the same files every run.
"""

import json
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = pathlib.Path(__file__).resolve().parent
OPSET = 13
IR_VERSION = 8  # what ONNX Runtime 1.31 reads and onnx 1.12 writes

# The item scorer: its input row, in this order (the worker's Model:Features).
FEATURES = ["featureValue", "category", "price", "popularity"]
# Maps each feature's realistic range to about [-1, 1] inside the graph, so callers pass raw values.
FEATURE_CENTRE = np.array([0.0, 5.5, 52.5, 0.5], dtype=np.float32)
FEATURE_SCALE = np.array([1 / 10, 1 / 5.5, 1 / 47.5, 1 / 0.5], dtype=np.float32)
# Batching pays off when a lone row must wait for weights that do not fit in the cache, while a batch
# reuses each weight it fetched. A 4096 x 4096 float matrix is 64 MB, beyond this machine's 32 MB L3;
# a 512-wide one (1 MB, in L2) ran a lone row only 4 times slower per row than a batch of 32.
HIDDEN = 4096
# The file holds two small seeds; ONNX Runtime expands them into the hidden matrix once, at load
# (constant folding): A tiled 8 x 8 times B (period 127, prime) tiled, so no two blocks are alike. Each
# step of the expansion holds a 64 MB tensor until the folding ends, so the graph takes as few as it can.
SEED_A = 512
SEED_B = 127
# Hidden layers, all applying the one hidden matrix.
DEPTH = 2
# Below 1 each layer contracts: the state follows the item's features, which are added again at
# every layer, and rounding differences between runtimes shrink instead of growing.
GAIN = 0.9


def finish(graph, version, doc, name_in_properties=True):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_models.py")
    model.ir_version = IR_VERSION
    model.model_version = version
    model.doc_string = doc
    if name_in_properties:
        helper.set_model_props(model, {"name": graph.name, "version": str(version)})
    onnx.checker.check_model(model)
    return model


def doubling():
    """prediction = 2 × featureValue, in double precision like the simulated model."""
    features = helper.make_tensor_value_info("features", TensorProto.DOUBLE, [None, 1])
    prediction = helper.make_tensor_value_info("prediction", TensorProto.DOUBLE, [None, 1])
    two = numpy_helper.from_array(np.array(2.0, dtype=np.float64), "two")
    graph = helper.make_graph(
        [helper.make_node("Mul", ["features", "two"], ["prediction"])],
        "doubling", [features], [prediction], initializer=[two])
    return finish(graph, 1, "prediction = 2 x featureValue in double precision: the simulated model as ONNX.")


def scorer_weights():
    rng = np.random.default_rng(20260131)
    return {
        "centre": FEATURE_CENTRE,
        "scale": FEATURE_SCALE,
        "w_in": (rng.standard_normal((len(FEATURES), HIDDEN)) * 1.5).astype(np.float32),
        "b_in": (rng.standard_normal(HIDDEN) * 0.2).astype(np.float32),
        "seed_a": (rng.standard_normal((SEED_A, SEED_A)) * GAIN / np.sqrt(HIDDEN)).astype(np.float32),
        "seed_b": rng.standard_normal((SEED_B, SEED_B)).astype(np.float32),
        "w_out": (rng.standard_normal((HIDDEN, 1)) * 3.0 / np.sqrt(HIDDEN)).astype(np.float32),
        "b_out": np.zeros(1, dtype=np.float32),
    }


def expansion_constants(weights):
    """What the graph expands the seeds with. A enters reshaped for broadcasting over 8 x 8 blocks."""
    return {
        "seed_a_blocks": weights["seed_a"].reshape(1, SEED_A, 1, SEED_A),
        "period_b": (np.arange(HIDDEN) % SEED_B).astype(np.int64),
        "blocks": np.array([HIDDEN // SEED_A, SEED_A, HIDDEN // SEED_A, SEED_A], dtype=np.int64),
        "square": np.array([HIDDEN, HIDDEN], dtype=np.int64),
    }


def hidden_matrix(weights):
    """The hidden matrix exactly as the graph expands it (float32 products are the same everywhere)."""
    tiled_a = np.tile(weights["seed_a"], (HIDDEN // SEED_A,) * 2)
    tiled_b = np.tile(weights["seed_b"], (-(-HIDDEN // SEED_B),) * 2)[:HIDDEN, :HIDDEN]
    return tiled_a * tiled_b


def item_scorer(weights):
    """A sigmoid score from an item's four features through DEPTH tanh layers that share one weight matrix."""
    nodes = [
        # B's rows, then its columns, picked by index modulo 127: the tiling, cut to size in one step.
        helper.make_node("Gather", ["seed_b", "period_b"], ["rows_b"], axis=0),
        helper.make_node("Gather", ["rows_b", "period_b"], ["tiled_b"], axis=1),
        # Seen as 8 x 8 blocks of 512 x 512, the tiled B times A broadcast over the blocks: A is never tiled.
        helper.make_node("Reshape", ["tiled_b", "blocks"], ["blocks_b"]),
        helper.make_node("Mul", ["blocks_b", "seed_a_blocks"], ["w_blocks"]),
        helper.make_node("Reshape", ["w_blocks", "square"], ["w_hidden"]),
        helper.make_node("Sub", ["features", "centre"], ["centred"]),
        helper.make_node("Mul", ["centred", "scale"], ["normalised"]),
        helper.make_node("MatMul", ["normalised", "w_in"], ["projected"]),
        helper.make_node("Add", ["projected", "b_in"], ["drive"]),
        helper.make_node("Tanh", ["drive"], ["h0"]),
    ]
    for layer in range(1, DEPTH + 1):
        # h = tanh(h · W + drive): the item's projection is added again at every layer.
        nodes += [
            helper.make_node("MatMul", [f"h{layer - 1}", "w_hidden"], [f"mixed{layer}"]),
            helper.make_node("Add", [f"mixed{layer}", "drive"], [f"pre{layer}"]),
            helper.make_node("Tanh", [f"pre{layer}"], [f"h{layer}"]),
        ]
    nodes += [
        helper.make_node("MatMul", [f"h{DEPTH}", "w_out"], ["logit_raw"]),
        helper.make_node("Add", ["logit_raw", "b_out"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["score"]),
    ]
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, len(FEATURES)])
    score = helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])
    constants = {**{k: v for k, v in weights.items() if k != "seed_a"}, **expansion_constants(weights)}
    initializers = [numpy_helper.from_array(value, name) for name, value in constants.items()]
    graph = helper.make_graph(nodes, "item-scorer", [features], [score], initializer=initializers)
    return finish(graph, 1, (
        f"Scores an item from [featureValue, category, price, popularity] (raw values, normalised inside): "
        f"{DEPTH} tanh layers of width {HIDDEN} sharing one weight matrix, expanded at load from two small "
        f"seeds, then a sigmoid."))


def forward(weights, rows):
    """The item scorer in numpy, float32 throughout: the reference ONNX Runtime is compared with."""
    x = (rows.astype(np.float32) - weights["centre"]) * weights["scale"]
    drive = x @ weights["w_in"] + weights["b_in"]
    w_hidden = hidden_matrix(weights)
    h = np.tanh(drive)
    for _ in range(DEPTH):
        h = np.tanh(h @ w_hidden + drive)
    logit = h @ weights["w_out"] + weights["b_out"]
    return (1 / (1 + np.exp(-logit))).astype(np.float32)


def reference_rows():
    rng = np.random.default_rng(7)
    rows = [
        [0.1, 0, 5.0, 0.0],
        [-3.7, 11, 100.0, 1.0],
        [10.0, 6, 50.0, 0.5],
        [-10.0, 3, 75.25, 0.125],
    ]
    for _ in range(8):
        rows.append([
            round(float(rng.uniform(-10, 10)), 3),
            int(rng.integers(0, 12)),
            round(float(rng.uniform(5, 100)), 2),
            round(float(rng.uniform(0, 1)), 3),
        ])
    return rows


def test_models():
    """Small models the worker's tests load to check how it refuses what it cannot serve."""
    def one_node(name, node, inputs, output):
        # No name or version in the metadata properties: the graph name and model_version stand in.
        graph = helper.make_graph([node], name, inputs, [output])
        return finish(graph, 1, f"A test fixture: {name}.", name_in_properties=False)

    def tensor(name, element_type, shape):
        return helper.make_tensor_value_info(name, element_type, shape)

    return {
        # Two inputs: the worker feeds one.
        "two-inputs.onnx": one_node(
            "two-inputs", helper.make_node("Add", ["a", "b"], ["sum"]),
            [tensor("a", TensorProto.FLOAT, [None, 1]), tensor("b", TensorProto.FLOAT, [None, 1])],
            tensor("sum", TensorProto.FLOAT, [None, 1])),
        # An int64 input: the worker feeds float or double.
        "int64-input.onnx": one_node(
            "int64-input", helper.make_node("Cast", ["ids"], ["value"], to=TensorProto.FLOAT),
            [tensor("ids", TensorProto.INT64, [None, 1])], tensor("value", TensorProto.FLOAT, [None, 1])),
        # A batch fixed at one row: served one request per run.
        "single-row.onnx": one_node(
            "single-row", helper.make_node("Neg", ["x"], ["negated"]),
            [tensor("x", TensorProto.FLOAT, [1, 1])], tensor("negated", TensorProto.FLOAT, [1, 1])),
    }


def main():
    fixtures = HERE.parent / "tests" / "Worker.Tests" / "Models" / "Onnx" / "Models"
    fixtures.mkdir(exist_ok=True)
    for name, model in test_models().items():
        onnx.save(model, fixtures / name)

    onnx.save(doubling(), HERE / "doubling" / "2" / "model.onnx")
    weights = scorer_weights()
    onnx.save(item_scorer(weights), HERE / "item-scorer" / "1" / "model.onnx")

    rows = reference_rows()
    scores = forward(weights, np.array(rows, dtype=np.float32))
    reference = {
        "model": "item-scorer.onnx",
        "features": FEATURES,
        "note": "score computed by numpy in float32 by make_models.py, outside ONNX Runtime",
        "cases": [
            {"input": row, "score": float(score[0])}
            for row, score in zip(rows, scores)
        ],
    }
    (HERE / "item-scorer.reference.json").write_text(json.dumps(reference, indent=2) + "\n")
    print("scores:", ", ".join(f"{s:.4f}" for s in scores[:, 0]))


if __name__ == "__main__":
    main()
