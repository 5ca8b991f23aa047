import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import { defineOp, lastDim, NoAttrs, nodeSchema } from "./define.js";

/**
 * Softmax cross-entropy per row from logits `[B, C]` and integer class ids `[B]`:
 * `-log_softmax(logits)[class]`, shape `[B]`, computed stably as PyTorch's CrossEntropyLoss.
 */
export const softmaxCrossEntropy = defineOp(nodeSchema("softmaxCrossEntropy", 2, NoAttrs), {
  shape: ([logits, classes]) => {
    if (logits.length !== 2 || classes.length !== 1 || logits[0] !== classes[0]) {
      throw new ShapeError(`softmaxCrossEntropy: logits ${formatShape(logits)} must be [B, C] and classes ${formatShape(classes)} must be [B]`);
    }
    return [logits[0]];
  },
  vjp: ({ b, shape }, n, g) => {
    const [logits, classes] = n.inputs;
    const [rows] = shape(logits);
    const depth = lastDim(shape(logits), "softmaxCrossEntropy");
    // (softmax(logits) - onehot(class)) * g, per row; rows are [B] or, for unbatched logits, a fixed size
    const d = b.sub(b.softmax(logits), b.oneHot(classes, depth));
    return [b.mul(d, b.reshape(g, [rows, 1])), null];
  },
  jvp: ({ b, shape, has, tangent, lift }, n) => {
    if (!has(0)) return null;
    const [logits, classes] = n.inputs;
    const d = b.sub(b.softmax(logits), b.oneHot(classes, lastDim(shape(logits), "softmaxCrossEntropy")));
    return b.sum(b.mul(lift(d, shape(logits)), tangent(0)), { axes: [-1] });
  },
  elementwise: undefined,
  timeLinear: false,
  batch: "rowwise",
  doc: {
    group: "per-row losses",
    inputs: "logits `[R, C]`, class ids `[R]`",
    output: "`[R]`: `−logSoftmax(logits)[class]`, computed stably",
    gradient: "`(softmax(logits) − oneHot(class, C))·g`; none for the class ids",
    tangent: "`Σ_C (softmax(logits) − oneHot(class))·ẋ`",
  },
});
