import { builder } from './builder.js';
import './call.js';
import './call-list.js';
import './custom-field.js';
import './date-time.js';
import './errors.js';
import './node.js';
import './set-call-custom-fields.js';
import './viewer.js';

export const schema = builder.toSchema();
