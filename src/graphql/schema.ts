import { builder } from './builder.js';
import './api-user.js';
import './call.js';
import './call-list.js';
import './create-api-token.js';
import './create-api-user.js';
import './create-custom-field.js';
import './custom-field.js';
import './date-time.js';
import './delete-custom-field.js';
import './errors.js';
import './node.js';
import './revoke-api-token.js';
import './set-call-custom-fields.js';
import './update-api-user.js';
import './update-custom-field.js';
import './viewer.js';

export const schema = builder.toSchema();
