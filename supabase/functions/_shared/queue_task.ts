/** What the database's dispatchers send the worker functions: the pgmq message id of the task. */
import { z } from "zod";

/** pgmq's msg_id, a bigint: a JSON number or a digit string, kept as a string. */
export const messageIdSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/)])
  .transform(String);
