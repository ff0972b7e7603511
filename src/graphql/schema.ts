import { builder } from './builder.js';
import './call.js';
import './create-custom-field.js';
import './custom-field.js';
import './date-time.js';
import './delete-custom-field.js';
import './errors.js';
import './set-call-custom-fields.js';
import './update-custom-field.js';
import './viewer.js';

export const schema = builder.toSchema();
