// Renders /api/v1/openapi.json as a list of endpoints and schemas. The
// page's Content-Security-Policy forbids inline scripts, so this file is
// served beside it. Text from the document is always set as textContent.
'use strict';

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function schemaName(schema) {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.type === 'array') return schemaName(schema.items) + '[]';
  if (schema.oneOf) return schema.oneOf.map(schemaName).join(' | ');
  if (schema.allOf) return schema.allOf.map(schemaName).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type || 'object';
}

function describeContent(content) {
  if (!content) return '';
  return Object.entries(content)
    .map(([type, media]) => `${type} ${schemaName(media.schema)}`.trim())
    .join(', ');
}

function renderOperation(path, method, operation) {
  const box = element('section', 'operation');
  const heading = element('h3');
  heading.append(element('span', `method ${method}`, method), element('span', 'path', path));
  box.append(heading);
  if (operation.description || operation.summary) {
    box.append(element('p', null, operation.summary || operation.description));
  }
  if (!operation.security || operation.security.length === 0) {
    box.append(element('p', 'muted', 'No token needed.'));
  }

  const table = element('table');
  for (const parameter of operation.parameters || []) {
    const row = element('tr');
    row.append(element('th', null, `${parameter.in} ${parameter.name}`));
    row.append(element('td', null, parameter.description || schemaName(parameter.schema)));
    table.append(row);
  }
  if (operation.requestBody) {
    const row = element('tr');
    row.append(element('th', null, 'body'));
    row.append(element('td', null, describeContent(operation.requestBody.content)));
    table.append(row);
  }
  for (const [status, response] of Object.entries(operation.responses || {})) {
    const row = element('tr');
    row.append(element('th', null, status));
    const body = describeContent(response.content);
    row.append(element('td', null, body ? `${response.description}: ${body}` : response.description));
    table.append(row);
  }
  box.append(table);
  return box;
}

function renderSchema(name, schema) {
  const box = element('section', 'operation');
  box.append(element('h3', 'path', name));
  if (schema.description) box.append(element('p', null, schema.description));
  const properties = schema.properties || {};
  const required = new Set(schema.required || []);
  const table = element('table');
  for (const [property, definition] of Object.entries(properties)) {
    const row = element('tr');
    row.append(element('th', null, required.has(property) ? property : `${property}?`));
    row.append(element('td', null, schemaName(definition)));
    row.append(element('td', 'muted', definition.description || ''));
    table.append(row);
  }
  if (table.childElementCount > 0) box.append(table);
  const variants = schema.oneOf || schema.allOf;
  if (variants) box.append(element('p', 'muted', schemaName(schema)));
  return box;
}

function render(document_, root) {
  root.replaceChildren(element('h1', null, document_.info.title));
  if (document_.info.description) root.append(element('p', null, document_.info.description));
  const raw = element('p', 'muted');
  const link = element('a', null, 'openapi.json');
  link.href = '/api/v1/openapi.json';
  raw.append(`OpenAPI ${document_.openapi} document: `, link);
  root.append(raw);

  const byTag = new Map();
  for (const [path, item] of Object.entries(document_.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const tag = (operation.tags && operation.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(renderOperation(path, method, operation));
    }
  }
  for (const [tag, operations] of byTag) {
    root.append(element('h2', null, tag), ...operations);
  }

  const schemas = (document_.components && document_.components.schemas) || {};
  root.append(element('h2', null, 'schemas'));
  for (const [name, schema] of Object.entries(schemas)) {
    root.append(renderSchema(name, schema));
  }
}

async function main() {
  const root = document.getElementById('api');
  try {
    const response = await fetch('/api/v1/openapi.json');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json(), root);
  } catch (error) {
    document.getElementById('status').textContent =
      `Failed to load the OpenAPI document: ${error.message}`;
  }
}

main();
